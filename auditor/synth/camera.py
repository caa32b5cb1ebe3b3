"""A pinhole camera standing in a hall: world points in metres -> pixels.

World axes: x to the right, y forward (away from the camera's foot), z up; the floor is z = 0. The camera
stands at (x0, 0, height), turned by ``yaw`` about z and tilted down by ``pitch``, like an inspector's
phone held at eye level.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

# Points closer than this (metres along the optical axis) are behind the lens for our purposes.
NEAR = 0.15


@dataclass(frozen=True)
class Camera:
    width: int
    height: int
    focal_px: float
    cam_height: float
    pitch_deg: float
    yaw_deg: float = 0.0
    x0: float = 0.0
    roll_deg: float = 0.0
    y0: float = 0.0  # where the camera stands along the room (a light on the ceiling stands further in)
    # The camera's mirror image below the floor: it sees the scene as its reflection in a glossy floor
    # appears to the real camera.
    mirrored: bool = False

    @property
    def position(self) -> np.ndarray:
        return np.array([self.x0, self.y0, -self.cam_height if self.mirrored else self.cam_height])

    @cached_property  # a photo projects thousands of polygons through the same camera
    def rotation(self) -> np.ndarray:
        """World -> camera rotation; camera axes: X right, Y down, Z forward."""
        yaw, pitch, roll = np.deg2rad([self.yaw_deg, self.pitch_deg, self.roll_deg])
        # Looking along +y with no turn: camera X = world x, camera Y = -world z, camera Z = world y.
        base = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
        rz = np.array([[np.cos(yaw), np.sin(yaw), 0.0], [-np.sin(yaw), np.cos(yaw), 0.0], [0.0, 0.0, 1.0]])
        rx = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(pitch), -np.sin(pitch)], [0.0, np.sin(pitch), np.cos(pitch)]])
        rr = np.array([[np.cos(roll), -np.sin(roll), 0.0], [np.sin(roll), np.cos(roll), 0.0], [0.0, 0.0, 1.0]])
        rotation = rr @ rx @ base @ rz
        # Seeing P's reflection (x, y, -z) from the real camera = seeing P from the mirrored position with
        # the rotation composed with the mirror.
        return rotation @ np.diag([1.0, 1.0, -1.0]) if self.mirrored else rotation

    def reflected(self) -> Camera:
        return replace(self, mirrored=True)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """(N, 3) world points -> (N, 3) camera coordinates."""
        return (np.asarray(points, dtype=float) - self.position) @ self.rotation.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 3) world points -> (N, 2) pixels and (N,) depths (negative: behind the camera)."""
        cam = self.to_camera(points)
        depth = cam[:, 2]
        safe = np.where(np.abs(depth) < 1e-6, 1e-6, depth)
        u = self.focal_px * cam[:, 0] / safe + self.width / 2
        v = self.focal_px * cam[:, 1] / safe + self.height / 2
        return np.stack([u, v], axis=1), depth

    def unproject(self, depth: np.ndarray) -> np.ndarray:
        """(H, W) depth along the optical axis per pixel -> (H*W, 3) world points (rows first); pixels with
        no depth (inf) come back at the camera's position."""
        h, w = depth.shape
        z = np.where(np.isfinite(depth), depth, 0.0).astype(np.float32)
        us = (np.arange(w, dtype=np.float32) + 0.5 - w / 2) / np.float32(self.focal_px)
        vs = (np.arange(h, dtype=np.float32) + 0.5 - h / 2) / np.float32(self.focal_px)
        cam = np.stack([us[None, :] * z, vs[:, None] * z, z], axis=-1).reshape(-1, 3)
        # In single precision (millimetres in a room are far above its rounding): a photo unprojects its
        # mirror image's depth, its bare floor's (for the polish) and its own, and in double precision two of
        # these were a tenth of its time.
        return cam @ self.rotation.astype(np.float32) + self.position.astype(np.float32)

    def depth_of(self, point: np.ndarray) -> float:
        return float(self.to_camera(np.asarray(point, dtype=float).reshape(1, 3))[0, 2])


def clip_polygon_near(points: np.ndarray, camera: Camera, near: float = NEAR) -> np.ndarray:
    """Clip a planar world polygon to the part in front of the camera (Sutherland-Hodgman on depth)."""
    depths = camera.to_camera(points)[:, 2]
    out: list[np.ndarray] = []
    n = len(points)
    for i in range(n):
        a, b = points[i], points[(i + 1) % n]
        da, db = depths[i], depths[(i + 1) % n]
        if da >= near:
            out.append(a)
        if (da >= near) != (db >= near):
            t = (near - da) / (db - da)
            out.append(a + t * (b - a))
    return np.asarray(out, dtype=float).reshape(-1, 3)
