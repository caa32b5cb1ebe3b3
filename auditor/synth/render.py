"""Rasterise a hall scene seen through a ``Camera``: textured planes, shaded boxes, people, and a photo finish.

Everything is drawn far to near into an RGB image, with a depth buffer so that what is nearer wins at
every pixel (a monitor at the back of a counter top stays on top of the counter), and into an id buffer
that records which labelled object each pixel shows. The id buffer gives exact visible boxes for the YOLO
labels: an object hidden behind a counter is labelled by what can be seen of it, or not at all.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from auditor.synth.camera import Camera, clip_polygon_near
from auditor.synth.textures import surface

Colour = tuple[float, float, float]  # RGB 0..1

# Light comes from the ceiling panels, a little from the camera's side: tops are brightest, fronts lit,
# sides darker. Directions point from the surface towards the light.
LIGHT = np.array([0.25, -0.45, 0.86])
LIGHT = LIGHT / np.linalg.norm(LIGHT)
AMBIENT = 0.48


@dataclass
class Label:
    name: str
    parent: int | None = None  # a badge's person, for instance


# Depth for a pixel region: the (y0:y1, x0:x1) slice -> camera depth of each pixel.
DepthFn = Callable[[int, int, int, int], np.ndarray]
# The id of pixels that show no labelled thing (the id buffer's background).
NOTHING = -1


@dataclass
class Frame:
    """The image being drawn, its depth and id buffers, and the labelled objects.

    ``sprite_depth`` is the depth given to 2D drawings (people) that have no plane of their own.
    ``floor_shadows``: whether shadows darken its floor; not in the frames drawn only for their depth or for
    the floor's mirror image, where they would be thrown away or wrong.
    """

    camera: Camera
    floor_shadows: bool = True
    rgb: np.ndarray = field(init=False)
    ids: np.ndarray = field(init=False)
    depth: np.ndarray = field(init=False)
    labels: list[Label] = field(default_factory=list)
    sprite_depth: float = np.inf

    def __post_init__(self) -> None:
        self.rgb = np.zeros((self.camera.height, self.camera.width, 3), np.float32)
        self.ids = np.full((self.camera.height, self.camera.width), NOTHING, np.int32)
        self.depth = np.full((self.camera.height, self.camera.width), np.inf, np.float32)

    def _region(self, pixels: np.ndarray) -> tuple[int, int, int, int] | None:
        x0, y0 = np.floor(pixels.min(axis=0)).astype(int) - 1
        x1, y1 = np.ceil(pixels.max(axis=0)).astype(int) + 2
        x0, y0 = max(int(x0), 0), max(int(y0), 0)
        x1, y1 = min(int(x1), self.camera.width), min(int(y1), self.camera.height)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def plane_depth(self, corners_world: np.ndarray) -> DepthFn:
        """Per-pixel depth of the plane through these world points (ray-plane intersection)."""
        cam = self.camera.to_camera(corners_world)
        normal = np.cross(cam[1] - cam[0], cam[-1] - cam[0])
        offset = float(normal @ cam[0])
        f, cx, cy = self.camera.focal_px, self.camera.width / 2, self.camera.height / 2

        def depth(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
            us = (np.arange(x0, x1, dtype=np.float32) + 0.5 - cx) / f
            vs = (np.arange(y0, y1, dtype=np.float32) + 0.5 - cy) / f
            denom = normal[0] * us[None, :] + normal[1] * vs[:, None] + normal[2]
            with np.errstate(divide="ignore", invalid="ignore"):
                z = offset / denom
            return np.where(np.isfinite(z) & (z > 0), z, np.inf).astype(np.float32)

        return depth

    def _depth_test(self, region: tuple[int, int, int, int], coverage: np.ndarray, depth: DepthFn | None
                    ) -> np.ndarray:
        """Coverage (0..1) kept only where this surface is nearer than what is drawn; updates the buffer."""
        x0, y0, x1, y1 = region
        z = depth(x0, y0, x1, y1) if depth is not None else np.full(coverage.shape, self.sprite_depth, np.float32)
        current = self.depth[y0:y1, x0:x1]
        # A little slack so decals a centimetre off a wall still win over it despite rounding.
        nearer = z <= current * 1.0005
        coverage = coverage * nearer
        write = coverage > 0.5
        current[write] = z[write]
        return coverage

    def new_label(self, name: str, parent: int | None = None) -> int:
        self.labels.append(Label(name, parent))
        return len(self.labels) - 1

    # -- primitives -------------------------------------------------------------------------------------
    def fill(self, pixels: np.ndarray, colour: Colour, label: int | None = None, alpha: float = 1.0,
             depth: DepthFn | None = None) -> None:
        """Fill a pixel polygon (N, 2) with a flat colour, at the plane ``depth`` (default: sprite depth)."""
        if len(pixels) < 3:
            return
        region = self._region(pixels)
        if region is None:
            return
        x0, y0, x1, y1 = region
        pts = np.round(pixels * 16).astype(np.int32).reshape(-1, 1, 2)
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(mask, [pts - np.array([x0, y0]) * 16], 255, lineType=cv2.LINE_AA, shift=4)
        coverage = self._depth_test(region, mask.astype(np.float32) / 255.0, depth)
        a = (coverage * alpha)[..., None]
        target = self.rgb[y0:y1, x0:x1]
        target[:] = target * (1 - a) + np.asarray(colour, np.float32) * a
        # An unlabelled shape (a pillar, a partition) hides what is behind it from the truth as well.
        self.ids[y0:y1, x0:x1][coverage > 0.5] = NOTHING if label is None else label

    def warp(self, texture: np.ndarray, tex_points: np.ndarray, pixels: np.ndarray, label: int | None = None,
             clip: np.ndarray | None = None, shade: float = 1.0, depth: DepthFn | None = None) -> None:
        """Map texture points (N >= 4, in texture pixels) onto image pixels, limited to polygon ``clip``.

        Textures may carry a fourth (alpha) channel for cut-out shapes.
        """
        th, tw = texture.shape[:2]
        region = self._region(clip if clip is not None else pixels)
        if region is None:
            return
        x0, y0, x1, y1 = region
        dst = np.float32(pixels - np.array([x0, y0]))
        src = np.float32(tex_points)
        if len(src) == 4:
            homography = cv2.getPerspectiveTransform(src, dst)
        else:
            homography, _ = cv2.findHomography(src, dst, 0)
            if homography is None:
                return
        size = (x1 - x0, y1 - y0)
        channels = texture if texture.shape[2] == 4 else np.dstack([texture, np.ones((th, tw), np.float32)])
        warped = cv2.warpPerspective(channels, homography, size, flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
        alpha = warped[..., 3]
        if clip is not None:
            mask = np.zeros(alpha.shape, np.uint8)
            cv2.fillPoly(mask, [np.round((clip - [x0, y0]) * 16).astype(np.int32).reshape(-1, 1, 2)], 255,
                         lineType=cv2.LINE_AA, shift=4)
            alpha = alpha * (mask.astype(np.float32) / 255.0)
        alpha = self._depth_test(region, alpha, depth)
        a = alpha[..., None]
        target = self.rgb[y0:y1, x0:x1]
        target[:] = target * (1 - a) + warped[..., :3] * shade * a
        self.ids[y0:y1, x0:x1][alpha > 0.5] = NOTHING if label is None else label

    # -- world-space shapes -------------------------------------------------------------------------------
    def world_plane(self, corners: np.ndarray, texture: np.ndarray | None = None, colour: Colour = (0.5, 0.5, 0.5),
                    label: int | None = None, lit: bool = True) -> None:
        """A flat quad given by 4 world corners (texture's top-left, top-right, bottom-right, bottom-left)."""
        corners = np.asarray(corners, dtype=float)
        visible = clip_polygon_near(corners, self.camera)
        if len(visible) < 3:
            return
        shade = _shade(corners) if lit else 1.0
        clip_px, _ = self.camera.project(visible)
        depth = self.plane_depth(corners)
        if texture is None:
            self.fill(clip_px, tuple(np.clip(np.asarray(colour) * shade, 0, 1)), label, depth=depth)
            return
        # Texture coordinates of the visible polygon's vertices: the homography is fitted on points in front
        # of the lens only, so a floor that runs under the camera's feet still maps correctly.
        th, tw = texture.shape[:2]
        u_axis, v_axis = corners[1] - corners[0], corners[3] - corners[0]
        rel = visible - corners[0]
        tex = np.stack([rel @ u_axis / (u_axis @ u_axis) * tw, rel @ v_axis / (v_axis @ v_axis) * th], axis=1)
        if len(visible) == 3:  # a homography needs four points: add the centroid
            tex = np.vstack([tex, tex.mean(0)])
            clip_fit = np.vstack([clip_px, self.camera.project(visible.mean(0, keepdims=True))[0]])
        else:
            clip_fit = clip_px
        self.warp(texture, tex, clip_fit, label, clip=clip_px, shade=shade, depth=depth)

    def box(self, centre_x: float, centre_y: float, bottom: float, size: tuple[float, float, float],
            colour: Colour, label: int | None = None, faces: dict[str, np.ndarray] | None = None) -> None:
        """An axis-aligned box on the floor (or on something at height ``bottom``); faces may be textured
        (keys: front, back, left, right, top)."""
        w, d, h = size
        x0, x1 = centre_x - w / 2, centre_x + w / 2
        y0, y1 = centre_y - d / 2, centre_y + d / 2
        z0, z1 = bottom, bottom + h
        quads = {
            "front": [(x0, y0, z1), (x1, y0, z1), (x1, y0, z0), (x0, y0, z0)],
            "back": [(x1, y1, z1), (x0, y1, z1), (x0, y1, z0), (x1, y1, z0)],
            "left": [(x0, y1, z1), (x0, y0, z1), (x0, y0, z0), (x0, y1, z0)],
            "right": [(x1, y0, z1), (x1, y1, z1), (x1, y1, z0), (x1, y0, z0)],
            "top": [(x0, y1, z1), (x1, y1, z1), (x1, y0, z1), (x0, y0, z1)],
            "bottom": [(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)],
        }
        eye = self.camera.position
        for name, quad in quads.items():
            corners = np.asarray(quad, dtype=float)
            normal = _normal(corners)
            if np.dot(normal, eye - corners.mean(axis=0)) <= 0:
                continue  # facing away
            texture = (faces or {}).get(name)
            if texture is None:
                # Flat colour reads as a drawing: every face gets blotches, a light falloff and bevelled
                # edges, a different cut for each face so neighbouring boxes do not repeat one pattern.
                texture = _relief(corners) * np.asarray(colour, np.float32)
            self.world_plane(corners, texture, colour, label)

    def shadow(self, centre_x: float, centre_y: float, radius_x: float, radius_y: float,
               strength: float = 0.35) -> None:
        """A soft contact shadow on the floor under an object."""
        if not self.floor_shadows:
            return
        angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        ring = np.stack([centre_x + radius_x * np.cos(angles), centre_y + radius_y * np.sin(angles),
                         np.zeros_like(angles)], axis=1)
        if (self.camera.to_camera(ring)[:, 2] < 0.3).any():
            return
        px, _ = self.camera.project(ring)
        region = self._region(np.vstack([px - 8, px + 8]))
        if region is None:
            return
        x0, y0, x1, y1 = region
        mask = np.zeros((y1 - y0, x1 - x0), np.float32)
        cv2.fillPoly(mask, [np.round(px - [x0, y0]).astype(np.int32)], 1.0)
        blur = max(3, int((x1 - x0) / 10) | 1)
        self.darken_floor(cv2.GaussianBlur(mask, (blur, blur), 0) * strength, x0, y0)

    def darken_floor(self, darkness: np.ndarray, x0: int, y0: int) -> None:
        """Darken the floor's pixels by ``darkness`` (0..1, a picture whose top-left is pixel (x0, y0)): only
        the floor, since whatever already stands nearer keeps its light."""
        if not self.floor_shadows:
            return
        h, w = darkness.shape
        left, top = max(x0, 0), max(y0, 0)
        right, bottom = min(x0 + w, self.camera.width), min(y0 + h, self.camera.height)
        if right <= left or bottom <= top:
            return
        floor = self.plane_depth(np.array([(0.0, 1.0, 0.0), (1.0, 1.0, 0.0), (1.0, 2.0, 0.0), (0.0, 2.0, 0.0)]))
        floor_z = floor(left, top, right, bottom)
        on_floor = np.abs(self.depth[top:bottom, left:right] - floor_z) < 0.02 * floor_z
        shade = darkness[top - y0:bottom - y0, left - x0:right - x0] * on_floor
        self.rgb[top:bottom, left:right] *= (1 - shade)[..., None]

    def blit(self, rgb: np.ndarray, alpha: np.ndarray, parts: np.ndarray, labels: dict[int, int], x0: int,
             y0: int) -> None:
        """Composite a pre-shaded picture (rgb, coverage ``alpha`` 0..1) with its top-left corner at pixel
        (x0, y0), at the sprite depth; ``parts`` codes each pixel and ``labels`` maps a code to the label
        id its pixels record (code 0: nothing)."""
        h, w = alpha.shape
        left, top = max(x0, 0), max(y0, 0)
        right, bottom = min(x0 + w, self.camera.width), min(y0 + h, self.camera.height)
        if right <= left or bottom <= top:
            return
        inside = (slice(top - y0, bottom - y0), slice(left - x0, right - x0))
        coverage = self._depth_test((left, top, right, bottom), alpha[inside], None)
        a = coverage[..., None]
        target = self.rgb[top:bottom, left:right]
        target[:] = target * (1 - a) + rgb[inside] * a
        ids, write = self.ids[top:bottom, left:right], coverage > 0.5
        # Covered pixels of no labelled part hide what is behind them from the truth, as fill and warp do.
        ids[write] = NOTHING
        for code, label in labels.items():
            ids[write & (parts[inside] == code)] = label

    def blit_standing(self, rgb: np.ndarray, alpha: np.ndarray, parts: np.ndarray, labels: dict[int, int],
                      left: int, foot_y: float, foot_row: float) -> None:
        """``blit`` a picture of something standing, its row ``foot_row`` on the photo's row ``foot_y``; in the
        floor's mirror image (a mirrored camera) it hangs upside down from that row."""
        if self.camera.mirrored:
            self.blit(rgb[::-1], alpha[::-1], parts[::-1], labels, left, int(round(foot_y + foot_row - rgb.shape[0])))
        else:
            self.blit(rgb, alpha, parts, labels, left, int(round(foot_y - foot_row)))

    def sprite(self, draw: Callable[[float, float, float], None], foot: tuple[float, float, float],
               depth_at: tuple[float, float, float] | None = None) -> None:
        """Something drawn in 2D at a projected foot point with a pixels-per-metre scale (people, plants),
        flat at the depth of its foot or of ``depth_at``."""
        head = (foot[0], foot[1], foot[2] + 1.7)
        points = [foot, head, foot if depth_at is None else depth_at]
        px, depth = self.camera.project(np.asarray(points, dtype=float))
        if depth.min() < 0.5:
            return
        # Pixels per metre measured along the body, so a tilted camera does not shorten people.
        scale = float(np.hypot(*(px[0] - px[1]))) / 1.7
        # A figure is flat at the depth of its feet (or of ``depth_at``); in the floor's reflection it hangs
        # down from them (``blit_standing`` reads the mirrored camera).
        self.sprite_depth = float(depth[2])
        try:
            draw(float(px[0, 0]), float(px[0, 1]), scale)
        finally:
            self.sprite_depth = np.inf

    # -- labels -------------------------------------------------------------------------------------------
    def visible_boxes(self, min_pixels: int = 40, min_side: int = 4
                      ) -> list[tuple[int, str, tuple[int, int, int, int], int]]:
        """(label id, name, box, pixels) of every labelled object showing enough pixels, from the id buffer.

        Names starting with "_" mark things that need an id (to tell whether a sign is hidden) but are not
        one of the detector's classes.
        """
        out = []
        children: dict[int, list[int]] = {}
        for index, label in enumerate(self.labels):
            if label.parent is not None:
                children.setdefault(label.parent, []).append(index)
        for index, label in enumerate(self.labels):
            # A person's box includes the badge and vest drawn over them.
            ys, xs = np.nonzero(np.isin(self.ids, [index, *children.get(index, [])]))
            if len(xs) < min_pixels:
                continue
            box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
            if box[2] - box[0] < min_side or box[3] - box[1] < min_side:
                continue
            if not label.name.startswith("_"):
                out.append((index, label.name, box, len(xs)))
        return out


_RELIEFS: list[np.ndarray] = []


def _relief(corners: np.ndarray) -> np.ndarray:
    """One of a few fixed grey relief maps (blotches, falloff, bevels), chosen by where the face is."""
    if not _RELIEFS:
        rng = np.random.default_rng(12345)
        _RELIEFS.extend(surface((1.0, 1.0, 1.0), 128, 128, rng, roughness=0.035) for _ in range(8))
    key = zlib.crc32(np.round(corners, 2).tobytes())
    return _RELIEFS[key % len(_RELIEFS)]


def _normal(corners: np.ndarray) -> np.ndarray:
    """Outward normal of a quad listed tl, tr, br, bl as seen from outside."""
    n = np.cross(corners[3] - corners[0], corners[1] - corners[0])
    return n / (np.linalg.norm(n) + 1e-9)


def _shade(corners: np.ndarray) -> float:
    normal = _normal(corners)
    return float(AMBIENT + (1 - AMBIENT) * max(0.0, float(np.dot(normal, LIGHT))) + 0.08)


# -- the photo finish ---------------------------------------------------------------------------------------

# A neighbour this much nearer or further (share of depth) is across a silhouette, not in a crease. At 0.07
# a box 0.3 m before a wall 6 m away counted as a crease and left a dark cloud on the wall round it.
SILHOUETTE_JUMP = 0.03


def ambient_occlusion(depth: np.ndarray, strength: float = 0.45) -> np.ndarray:
    """A darkening factor (0..1) for creases and corners, from the depth buffer alone (screen-space AO).

    A pixel sits in a concave place (where floor meets wall, under a counter's lip, between seats) when the
    surfaces on both sides of it come nearer: less of the room's light reaches it. Measured on inverse depth,
    which on any flat surface changes linearly across the image, so a floor or a wall seen at a slant is
    not darkened at all, only its creases. A neighbour much nearer or further is another object's silhouette,
    not a crease, and does not count, so nothing gets a dark halo.
    """
    finite = np.isfinite(depth)
    far = float(depth[finite].max()) if finite.any() else 1.0
    inverse = 1.0 / np.where(finite, depth, far * 4).astype(np.float32)
    radii, directions = (4, 10, 22, 44), 4
    pad = max(radii)
    # Outside the picture there is nothing to compare with (NaN fails every test below): a replicated
    # border would bend a slanted plane at the picture's edge into a false crease.
    padded = cv2.copyMakeBorder(inverse, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=float("nan"))
    h, w = inverse.shape
    occlusion = np.zeros_like(inverse)
    for radius in radii:
        # Opposite pairs of neighbours: half a turn of directions covers the whole circle.
        for angle in np.linspace(0, np.pi, directions, endpoint=False) + radius:
            dx, dy = int(round(radius * np.cos(angle))), int(round(radius * np.sin(angle)))
            ahead = padded[pad + dy:pad + dy + h, pad + dx:pad + dx + w] / inverse - 1
            behind = padded[pad - dy:pad - dy + h, pad - dx:pad - dx + w] / inverse - 1
            crease = (np.abs(ahead) < SILHOUETTE_JUMP) & (np.abs(behind) < SILHOUETTE_JUMP)
            occlusion += np.where(crease, np.clip((ahead + behind) / 2, 0, None), 0.0)
    # Sixteen directions leave steps along an edge; light in a crease varies smoothly.
    occlusion = cv2.GaussianBlur(occlusion / (len(radii) * directions), (0, 0), 3.0)
    return 1.0 - strength * np.clip(occlusion / 0.01, 0, 1)


def glossy_reflection(mirror: np.ndarray, height: np.ndarray) -> np.ndarray:
    """The scene's mirror image (``mirror``, RGB) as a polished floor shows it: smeared along the line of
    sight (streaks towards the camera), the more the higher the reflected point stands above the floor
    (``height``: each pixel's height above the floor in metres; inf where nothing is). A foot's reflection
    touches the foot crisply, a head's is a soft glow: one blur for the whole image read as "a smeared
    copy"."""
    h, w = mirror.shape[:2]
    # The two softer levels are blurred at half the size (half the sigma) and scaled back: a quarter of the
    # cost, and nothing sharp is left in them to lose.
    half = cv2.resize(mirror, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    levels = [cv2.GaussianBlur(mirror, (0, 0), sigmaX=0.8, sigmaY=2.0)] + [
        cv2.resize(cv2.GaussianBlur(half, (0, 0), sigmaX=sx / 2, sigmaY=sy / 2), (w, h), interpolation=cv2.INTER_LINEAR)
        for sx, sy in ((2.0, 6.0), (5.0, 14.0))]
    # 0 at the floor, 1 at 0.6 m, 2 from 1.2 m up (and where nothing is).
    t = np.clip(height / 0.6, 0, 2)[..., None]
    near = levels[0] * (1 - np.clip(t, 0, 1)) + levels[1] * np.clip(t, 0, 1)
    return (near * (1 - np.clip(t - 1, 0, 1)) + levels[2] * np.clip(t - 1, 0, 1)).astype(np.float32)


def surface_normals(points: np.ndarray) -> np.ndarray:
    """(H, W, 3) world points of a depth buffer -> (H, W, 3) unit normals, from the neighbour on whichever
    side lies nearer in space, so that a silhouette's edge does not take the normal of what is behind it."""
    def nearest_step(axis: int) -> np.ndarray:
        forward = np.diff(points, axis=axis, append=np.take(points, [-1], axis=axis))
        backward = np.diff(points, axis=axis, prepend=np.take(points, [0], axis=axis))
        # Squared lengths (einsum: a fifth of the time of np.linalg.norm over a whole photo).
        f_len, b_len = np.einsum("...i,...i->...", forward, forward), np.einsum("...i,...i->...", backward, backward)
        # At the picture's border one side has no neighbour (a zero step): take the other.
        use_forward = ((f_len < b_len) & (f_len > 0)) | (b_len == 0)
        return np.where(use_forward[..., None], forward, backward)

    normal = np.cross(nearest_step(0), nearest_step(1))
    return normal / (np.sqrt(np.einsum("...i,...i->...", normal, normal))[..., None] + 1e-9)


def downlight(camera: Camera, depth: np.ndarray, points: np.ndarray, lights: np.ndarray, ambient: float = 0.5
              ) -> np.ndarray:
    """How much light each pixel gets from the ceiling's downlights (world points ``lights``, (K, 3)),
    relative to the photo's average: the inverse-square falloff and the angle of every surface to every
    light, from the depth buffer alone (deferred shading). A face's own shading knows only its direction,
    so without this a counter front is as bright at its ends as under a light and a wall as bright at its
    foot as near the ceiling: the even light that gives a render away.

    ``points``: ``camera.unproject(depth)``, which the shadow pass needs too. Returns a (H, W) factor around
    1; pixels with no depth get 1.
    """
    h, w = depth.shape
    finite = np.isfinite(depth)
    if not finite.any() or len(lights) == 0:
        return np.ones((h, w), np.float32)
    points = points.reshape(h, w, 3)
    normals = surface_normals(points)
    # Normals face the camera (a face seen from the front is lit from the front).
    to_eye = camera.position.astype(np.float32) - points
    normals *= np.sign(np.einsum("...i,...i->...", normals, to_eye) + 1e-9)[..., None]
    # Per light: the cosine at the surface times the downlight's cosine over the squared distance, i.e.
    # (n.r)(r_z) / |r|^4 for the unnormalised ray r, in separate contiguous planes (this pass runs on every
    # pixel for every light: about 0.1 s a photo this way, three times that with normalised vectors).
    x, y, z = (np.ascontiguousarray(points[..., i]) for i in range(3))
    nx, ny, nz = (np.ascontiguousarray(normals[..., i]) for i in range(3))
    irradiance = np.zeros((h, w), np.float32)
    for lx, ly, lz in lights.astype(np.float32):
        dx, dy, dz = lx - x, ly - y, lz - z
        dist2 = dx * dx + dy * dy + dz * dz + np.float32(0.5)  # a panel, not a point: no sharp peak under it
        facing = np.maximum(nx * dx + ny * dy + nz * dz, 0)
        irradiance += facing * np.maximum(dz, 0) / (dist2 * dist2)
    typical = float(irradiance[finite].mean())
    # Compressed (a power below 1): the faces' own shading and the floor's light pools already carry part
    # of this light, and the floor facing the lights would otherwise glare.
    factor = np.clip((ambient + (1 - ambient) * irradiance / max(typical, 1e-6)) ** 0.6, 0.6, 1.15)
    factor = factor.astype(np.float32)
    # A thin edge (a counter top's lip) is a pixel or two of normals at odds with their neighbours.
    factor = cv2.medianBlur(factor, 5)
    return np.where(finite, factor, 1.0).astype(np.float32)


# The tone curve's toe (a power on each pixel's light before the shoulder). Measured at glance size
# (scripts/realism_stats.py) on the samples against the real photos of ../shared/realdev: mean lightness 63
# before the toe, 57.5 with it, 45 real; the darkest 2% at L 21, then 13, real 5. A toe of 1.3 took them to
# 52 and 9 but pushed navy uniforms under the dress analyzer's chroma floor (41 of 71 read dark blue, 14 as
# black), where real photos of navy workwear keep it (docs/analyzers.md).
TONE_TOE = 1.15


def finish(rgb: np.ndarray, rng: np.random.Generator, *, exposure: float, colour_temp: Colour, vignette: float,
           noise: float, blur: float, hotspot: tuple[float, float] | None, shake: float = 0.0) -> np.ndarray:
    """From a clean render to a phone photo: light falloff, white balance, bloom, hand shake, lens blur,
    the lens's colour fringes, sensor noise (stronger in the shadows, with colour blotches), the phone's
    tone curve and its sharpening."""
    h, w = rgb.shape[:2]
    img = rgb * exposure
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if hotspot is not None:
        # Ceiling panels light the middle of the room more than its edges.
        cx, cy = hotspot
        dist = np.sqrt(((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
        img *= (1.12 - 0.3 * np.clip(dist, 0, 1))[..., None]
    r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    img *= (1 - vignette * np.clip(r - 0.35, 0, None) ** 2)[..., None]
    img *= np.asarray(colour_temp, np.float32)
    # Bloom: light panels and windows glow beyond their edges, as on a phone sensor; a wide faint veil too.
    bright = np.clip(img - 0.92, 0, None)
    # The veil is blurred at a quarter of the size: the same light at a fraction of the cost.
    veil = cv2.GaussianBlur(cv2.resize(bright, (w // 4, h // 4), interpolation=cv2.INTER_AREA), (0, 0), 10)
    img = img + cv2.GaussianBlur(bright, (0, 0), 9) * 1.6 + cv2.resize(veil, (w, h)) * 1.2
    if shake >= 1.0:
        # A hand moving during the exposure smears the image along one direction.
        length = int(shake) * 2 + 1
        kernel = np.zeros((length, length), np.float32)
        angle = rng.uniform(0, np.pi)
        c, s_ = np.cos(angle), np.sin(angle)
        for t in np.linspace(-(length // 2), length // 2, length * 2):
            kernel[int(round(length // 2 + t * s_)), int(round(length // 2 + t * c))] = 1.0
        img = cv2.filter2D(img, -1, kernel / kernel.sum())
    if blur > 0.05:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    # Lateral chromatic aberration: red and blue land a little apart towards the corners.
    fringe = float(rng.uniform(0.0006, 0.0018))
    for channel, sign in ((0, 1.0), (2, -1.0)):
        scale = 1 + sign * fringe
        matrix = np.float32([[scale, 0, (1 - scale) * w / 2], [0, scale, (1 - scale) * h / 2]])
        img[..., channel] = cv2.warpAffine(np.ascontiguousarray(img[..., channel]), matrix, (w, h),
                                           borderMode=cv2.BORDER_REFLECT)
    # Sensor noise: shot noise grows with the light, read noise shows in the shadows; the phone's denoiser
    # leaves colour blotches a few pixels wide.
    img = np.clip(img, 0, None)
    img = img + rng.normal(0, 1, img.shape).astype(np.float32) * noise * (0.6 + 0.8 * np.sqrt(img))
    chroma = cv2.GaussianBlur(rng.normal(0, noise * 1.2, img.shape).astype(np.float32), (0, 0), 2.0)
    img = img + chroma - chroma.mean(axis=2, keepdims=True)
    # Phone tone curve: a toe that keeps the shadows dark (without it the darkest 2% of a photo sat at L 21,
    # where real photos' sit at L 5), highlights that roll off instead of clipping hard, and a contrast
    # S-curve, as phones process their photos.
    img = np.clip(img, 0, None)
    # On the light only, keeping each pixel's hue and saturation (a power on each channel would saturate a
    # beige floor into a tan one that reads as yellow tape).
    light = img.mean(axis=2, keepdims=True)
    img = img * np.power(np.maximum(light, 1e-6), TONE_TOE - 1)
    img = 1 - np.exp(-img * 1.6)
    img = img / (1 - np.exp(-1.6))
    img = np.clip(img, 0, 1)
    img = img * img * (3 - 2 * img) * 0.45 + img * 0.55
    # Phones sharpen: an unsharp mask that leaves the faint halos along edges typical of their photos.
    amount = float(rng.uniform(0.7, 1.1))
    img = img + amount * (img - cv2.GaussianBlur(img, (0, 0), 1.4))
    out = np.clip(img * 255, 0, 255).astype(np.uint8)
    return cv2.cvtColor(out, cv2.COLOR_RGB2BGR)
