"""Datasets: same seed same data, TF Playground's geometry, features, and the train/test split."""

import numpy as np
import pytest
import torch

from core.data.datasets import DATASETS, generate, split
from core.data.features import FEATURES, feature_matrix


@pytest.mark.parametrize("name", list(DATASETS))
def test_same_seed_same_data_and_other_seed_other_data(name):
    a = generate(name, 200, 0.2, 5)
    b = generate(name, 200, 0.2, 5)
    c = generate(name, 200, 0.2, 6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", list(DATASETS))
def test_shapes_labels_and_domain(name):
    spec = DATASETS[name]
    pts, labels = generate(name, 301, 0.0, 0)
    assert pts.shape == (301, 2) and labels.shape == (301,)
    assert np.all(np.abs(pts) <= 6.5)
    if spec.task == "regression":
        assert np.all(np.abs(labels) <= 1)
    else:
        assert set(np.unique(labels)) == set(range(spec.n_classes))


def test_circle_radii_without_noise():
    pts, labels = generate("circle", 1000, 0.0, 1)
    r = np.linalg.norm(pts, axis=1)
    assert np.all(r[labels == 1] <= 2.5) and np.all((r[labels == 0] >= 3.5) & (r[labels == 0] <= 5))


def test_xor_is_off_the_axes_and_labelled_by_sign_of_product():
    pts, labels = generate("xor", 1000, 0.0, 1)
    assert np.all(np.abs(pts) >= 0.3)
    np.testing.assert_array_equal(labels, (pts[:, 0] * pts[:, 1] >= 0).astype(int))


def test_gaussians_spread_grows_with_noise():
    quiet, _ = generate("gauss", 4000, 0.0, 1)
    loud, _ = generate("gauss", 4000, 0.5, 1)
    assert np.std(quiet[:2000, 0]) == pytest.approx(np.sqrt(0.5), rel=0.1)
    assert np.std(loud[:2000, 0]) == pytest.approx(2.0, rel=0.1)


def test_split_fraction_is_exact_and_seeded():
    m = split(500, 0.3, 4)
    assert m.sum() == 150
    np.testing.assert_array_equal(m, split(500, 0.3, 4))
    assert split(10, 0.9999, 0).sum() == 9  # at least one test point


def test_feature_matrix_columns_follow_the_formulas():
    p = torch.tensor([[1.0, 2.0], [-3.0, 0.5]])
    f = feature_matrix(p, tuple(FEATURES))
    expected = torch.stack(
        [p[:, 0], p[:, 1], p[:, 0] ** 2, p[:, 1] ** 2, p[:, 0] * p[:, 1], torch.sin(p[:, 0]), torch.sin(p[:, 1])], dim=1
    )
    torch.testing.assert_close(f, expected)
