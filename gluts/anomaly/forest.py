"""A fitted isolation forest as plain arrays: scored without scikit-learn's objects, saved as .npy.

:func:`forest_arrays` takes the trees of a fitted :class:`sklearn.ensemble.IsolationForest`
apart into a few arrays (:class:`IsolationTrees`), and :func:`isolation_scores` scores rows
with them exactly as ``IsolationForest.score_samples`` does (the same float32 comparisons,
the same sums in the same order). A detector file stores the arrays, so a forest saves and
loads without pickle.

References
----------
Liu, Ting and Zhou (2008), "Isolation Forest", ICDM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["IsolationTrees", "forest_arrays", "isolation_scores"]


@dataclass(frozen=True)
class IsolationTrees:
    """The trees of an isolation forest, concatenated.

    Attributes
    ----------
    feature, left, right : ndarray of int64
        Per node: the feature it splits on, and its children (``-1`` at a leaf).
    threshold : ndarray of float64
        Per node: rows with ``x[feature] <= threshold`` go left.
    value : ndarray of float64
        Per node: the path length a row ending there adds (its depth plus the average path
        length of the training rows it holds, minus one).
    offsets : ndarray of int64
        Where each tree's nodes start (and, last, where the nodes end).
    denominator : float
        The number of trees times the average path length of a tree's sample.
    """

    feature: np.ndarray
    left: np.ndarray
    right: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    offsets: np.ndarray
    denominator: float

    def __post_init__(self):
        """Check the trees' structure, so that scoring always ends (children follow parents)."""
        n, offsets = len(self.feature), self.offsets
        sizes = {len(a) for a in (self.left, self.right, self.threshold, self.value)}
        ok = sizes == {n} and len(offsets) >= 2 and offsets[0] == 0 and offsets[-1] == n
        ok = ok and bool((np.diff(offsets) >= 1).all()) and self.denominator >= 0
        for first, stop in zip(offsets[:-1], offsets[1:]) if ok else ():
            nodes = np.arange(stop - first)
            for child in (self.left[first:stop], self.right[first:stop]):
                leaf = child == -1
                ok = ok and bool(((child > nodes) & (child < stop - first) | leaf).all())
        if not ok:
            raise ValueError("IsolationTrees holds trees of an inconsistent structure.")


def average_path_length(n) -> np.ndarray:
    """Average path length of an unsuccessful search in a binary tree of ``n`` rows."""
    n = np.asarray(n, dtype=np.float64)
    out = np.zeros_like(n)
    out[n == 2] = 1.0
    many = n > 2
    out[many] = 2.0 * (np.log(n[many] - 1.0) + np.euler_gamma) - 2.0 * (n[many] - 1.0) / n[many]
    return out


def forest_arrays(forest) -> IsolationTrees:
    """Take a fitted ``IsolationForest`` apart into :class:`IsolationTrees`.

    Parameters
    ----------
    forest : sklearn.ensemble.IsolationForest
        A fitted forest.

    Returns
    -------
    IsolationTrees
        Its trees (features of a tree fitted on a subset of the features are mapped back
        to the full set).
    """
    parts, offsets = [], [0]
    for estimator, features in zip(forest.estimators_, forest.estimators_features_):
        tree = estimator.tree_
        feature = tree.feature.astype(np.int64)
        if len(features) != forest.n_features_in_:  # fitted on a subset of the columns
            feature = np.where(feature >= 0, np.asarray(features)[np.maximum(feature, 0)], -2)
        depth = tree.compute_node_depths().astype(np.float64)
        value = depth + average_path_length(tree.n_node_samples) - 1.0
        parts.append((feature, tree.children_left, tree.children_right, tree.threshold, value))
        offsets.append(offsets[-1] + tree.node_count)
    columns = [np.concatenate(c) for c in zip(*parts)]
    denominator = len(forest.estimators_) * float(average_path_length([forest.max_samples_])[0])
    return IsolationTrees(
        feature=columns[0].astype(np.int64),
        left=columns[1].astype(np.int64),
        right=columns[2].astype(np.int64),
        threshold=columns[3].astype(np.float64),
        value=columns[4].astype(np.float64),
        offsets=np.asarray(offsets, dtype=np.int64),
        denominator=denominator,
    )


def isolation_scores(trees: IsolationTrees, X: np.ndarray) -> np.ndarray:
    """Return ``IsolationForest.score_samples(X)``: minus the anomaly score, in [-1, 0).

    Parameters
    ----------
    trees : IsolationTrees
        The forest.
    X : ndarray of shape (n_rows, n_features)
        The rows (compared in float32, as scikit-learn does).

    Returns
    -------
    ndarray of shape (n_rows,)
        The lower, the more abnormal.
    """
    X = np.asarray(X, dtype=np.float32)
    rows = np.arange(len(X))
    depths = np.zeros(len(X))
    for first in trees.offsets[:-1]:
        node = np.full(len(X), first, dtype=np.int64)
        while True:
            inner = trees.left[node] != -1
            if not inner.any():
                break
            at = node[inner]
            go_left = X[rows[inner], trees.feature[at]] <= trees.threshold[at]
            node[inner] = first + np.where(go_left, trees.left[at], trees.right[at])
        depths += trees.value[node]
    if trees.denominator == 0:
        return -np.ones(len(X))
    return -(2.0 ** (-depths / trees.denominator))
