"""A data set drawn from nothing, click by click: what the canvas holds until its points can train a classifier
(points of two classes), and what the student still has to add. Until then the points live in the session, not in
the set-up: a set-up's own points must be a data set a network can learn."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.csv_io import points_csv

CANVAS_CLASSES = 2  # the classes a student draws on the blank canvas (a CSV upload can bring up to 8)


@dataclass(frozen=True)
class Canvas:
    """Clicked points `[N, 2]` and their classes `[N]`, in the order they were added."""

    points: np.ndarray
    labels: np.ndarray

    @classmethod
    def blank(cls) -> Canvas:
        return cls(np.zeros((0, 2)), np.zeros(0, np.int64))

    def with_point(self, point: tuple[float, float], label: int) -> Canvas:
        return Canvas(np.vstack([self.points, [point]]), np.append(self.labels, int(label)))

    def missing(self) -> str | None:
        """What the student must still add before the points can train a network; None once they can."""
        present = set(self.labels.tolist())
        if not present:
            return "Click on the plane to add points of class 0, then switch the class and add class 1."
        if len(present) < 2:
            return f"Now add points of class {1 - min(present)}: a classifier needs points of two classes."
        return None

    def csv(self) -> str:
        """The points as the CSV text a set-up's `points` holds (dataset "custom")."""
        return points_csv(self.points, self.labels, "binary")
