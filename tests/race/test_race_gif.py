"""The race's GIF: a decodable animation whose pixels sit where the coordinate transform says, in the race
figure's colours, and diverged racers do not break it."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
from PIL import Image, ImageColor

from core.figures.race.race import color, log_levels
from core.figures.race.race_gif import LEGEND, MARGIN, PLOT, TOP, Canvas, frame_steps, race_gif, viridis
from core.race.race import RaceConfig, run_race
from core.race.racers import make_racer
from core.race.surfaces import SURFACES


def frames(data: bytes) -> list[Image.Image]:
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.is_animated
    out = []
    for k in range(gif.n_frames):
        gif.seek(k)
        out.append(gif.convert("RGB"))
    return out


@pytest.fixture(scope="module")
def booth():
    s = SURFACES["booth"]
    return run_race(s, (make_racer("SGD", lr=0.01), make_racer("Adam", lr=0.3)), s.start, RaceConfig(steps=250))


def test_gif_decodes_as_an_animation_with_one_frame_per_shown_step(booth):
    images = frames(race_gif(booth))
    assert len(images) == len(frame_steps(250)) == 100
    assert images[0].size == (MARGIN + PLOT + LEGEND, TOP + PLOT + MARGIN)
    assert len(frames(race_gif(booth, max_frames=7))) == 7


def test_frame_steps_span_the_race_in_at_most_max_frames():
    assert frame_steps(10).tolist() == list(range(11))
    long = frame_steps(5000)
    assert len(long) == 100 and long[0] == 0 and long[-1] == 5000 and (np.diff(long) > 0).all()


def test_transform_maps_the_domain_corners_to_the_plot_corners():
    canvas = Canvas(-2.0, 6.0, -1.0, 3.0)
    corners = canvas.pixel(np.array([[-2.0, 3.0], [6.0, -1.0], [2.0, 1.0]]))
    np.testing.assert_allclose(corners[0], [MARGIN, TOP])
    np.testing.assert_allclose(corners[1], [MARGIN + PLOT - 1, TOP + PLOT - 1])
    np.testing.assert_allclose(corners[2], [MARGIN + (PLOT - 1) / 2, TOP + (PLOT - 1) / 2])


def test_each_racer_is_drawn_in_its_colour_where_the_transform_puts_it(booth):
    images = frames(race_gif(booth))
    steps = frame_steps(250)
    (x0, x1), (y0, y1) = booth.surface.domain
    canvas = Canvas(x0, x1, y0, y1)
    for i, run in enumerate(booth.runs):
        k = 20 if i == 0 else 60  # a frame where the racer's marker is away from the start ring and the minimum
        px, py = canvas.pixel(run.points[[min(steps[k], run.steps)]])[0].round().astype(int)
        assert images[k].getpixel((int(px), int(py))) == ImageColor.getrgb(color(i))


def test_background_is_the_log_loss_in_viridis(booth):
    image = frames(race_gif(booth))[0]
    _, _, _, logf, _ = log_levels(booth.surface)
    expected = viridis(np.array((logf[0, -1] - logf.min()) / (logf.max() - logf.min())))  # bottom-right corner
    got = np.array(image.getpixel((MARGIN + PLOT - 1, TOP + PLOT - 1)))
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 6


def test_diverged_and_nan_paths_do_not_break_it(booth):
    s = SURFACES["booth"]
    race = run_race(s, (make_racer("SGD", lr=0.2), make_racer("Adam", lr=0.3)), s.start, RaceConfig(steps=40))
    assert race.runs[0].diverged
    run = race.runs[1]
    points = run.points.copy()
    points[5:9] = np.nan
    points[12] = [1e300, -np.inf]
    broken = dataclasses.replace(race, runs=(race.runs[0], dataclasses.replace(run, points=points)))
    assert len(frames(race_gif(broken))) == len(frame_steps(40))
