"""Drawing a data set from nothing in the real browser (a Plotly click is not something AppTest can make): every
click adds a point that is drawn, whichever split it falls in, and a click next to a point adds one too."""

from __future__ import annotations

from tests.e2e.browser import page_errors, wait_for_script

DRAWN = """() => {
    const plane = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.data.some(t => t.name === 'plane'));
    return plane._fullData.filter(t => t.name !== 'plane' && t.name !== 'selected sample')
        .reduce((n, t) => n + t._length, 0);
}"""
PLOT_AREA = """() => {
    const plane = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.data.some(t => t.name === 'plane'));
    plane.scrollIntoView({block: 'center'});
    const r = plane.querySelector('.nsewdrag').getBoundingClientRect();
    return [r.left, r.top, r.width, r.height];
}"""


def _click(page, x1: float, x2: float) -> None:
    """Click the plane at data coordinates (x1, x2) (the plane shows [-6, 6]²), and wait for the reruns."""
    left, top, width, height = page.evaluate(PLOT_AREA)
    page.mouse.click(left + (x1 + 6) / 12 * width, top + (6 - x2) / 12 * height)
    page.wait_for_timeout(300)
    wait_for_script(page)


def _class(page, label: int) -> None:
    page.locator('[data-testid="stRadio"]').get_by_text(str(label), exact=True).click()
    wait_for_script(page)


def test_a_student_draws_a_data_set_class_by_class_and_sees_every_point(app_url, page):
    page.goto(f"{app_url}/network-builder?dataset=custom")
    wait_for_script(page)
    assert page.evaluate(DRAWN) == 0
    _click(page, -3, -3)
    _click(page, -3, 3)
    assert page.evaluate(DRAWN) == 2
    assert page.get_by_text("Now add points of class 1").count() == 1
    _class(page, 1)
    _click(page, 3, 3)
    _click(page, 3.25, 3)  # right next to a point: adds one
    assert page.evaluate(DRAWN) == 4
    page.get_by_role("button", name="Train a network on these points").click()  # two classes: it can train
    wait_for_script(page)
    page.get_by_role("heading", name="Epoch 0").wait_for()
    assert page.evaluate(DRAWN) == 4  # test points included: none hides in the test split
    assert page.get_by_text("Your 4 points travel").count() == 1
    assert page_errors(page) == []


def test_clicks_on_the_trained_plane_add_points_that_are_all_drawn_even_next_to_a_point(app_url, page):
    page.goto(f"{app_url}/network-builder?n_points=20")
    wait_for_script(page)
    page.get_by_text("Your own points").click()
    page.get_by_text("Click on the plot adds a point").click()
    wait_for_script(page)
    for n, (x1, x2) in enumerate([(-4, -4), (4, 4), (-4, 4), (4, -4)], start=21):
        _click(page, x1, x2)
        assert page.evaluate(DRAWN) == n  # whichever split the new point falls in
    assert page.get_by_text("Your 24 points travel").count() == 1
    _click(page, 4.25, -4)  # right next to the last point: adds one, does not pick that point
    assert page.evaluate(DRAWN) == 25
    assert page_errors(page) == []
