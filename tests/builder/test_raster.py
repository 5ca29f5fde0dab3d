"""The live view's frames: JPEG data URIs that decode to the drawn pixels (no media files to race with)."""

import base64
import io

import numpy as np
from PIL import Image

from core.figures.builder.raster import jpeg, loss_raster


def _decode(uri: str) -> np.ndarray:
    head, payload = uri.split(",", 1)
    assert head == "data:image/jpeg;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGB"))


def test_a_frame_is_a_data_uri_of_the_same_picture():
    rgb = np.zeros((40, 60, 3), np.uint8)
    rgb[:, :30] = (8, 119, 189)
    rgb[:, 30:] = (245, 147, 34)
    back = _decode(jpeg(rgb))
    assert back.shape == rgb.shape
    assert np.abs(back[5:-5, 5:25].astype(int) - rgb[5:-5, 5:25]).max() < 12  # JPEG at quality 90
    assert np.abs(back[5:-5, 35:-5].astype(int) - rgb[5:-5, 35:-5]).max() < 12


def test_the_loss_sparkline_is_drawn_and_survives_nan():
    back = _decode(jpeg(loss_raster([0.7, 0.5, float("nan"), 0.2], [0.8, 0.6, 0.5, 0.4])))
    assert back.shape == (120, 360, 3) and (back < 200).any()  # some dark curve pixels on white
