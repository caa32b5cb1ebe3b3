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
    """

    camera: Camera
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
        if self.camera.mirrored:
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
        mask = cv2.GaussianBlur(mask, (blur, blur), 0)
        # Only the floor darkens: whatever already stands nearer keeps its light.
        floor = self.plane_depth(np.array([(0.0, 1.0, 0.0), (1.0, 1.0, 0.0), (1.0, 2.0, 0.0), (0.0, 2.0, 0.0)]))
        on_floor = np.abs(self.depth[y0:y1, x0:x1] - floor(x0, y0, x1, y1)) < 0.02 * floor(x0, y0, x1, y1)
        self.rgb[y0:y1, x0:x1] *= (1 - strength * mask * on_floor)[..., None]

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
        for code, label in labels.items():
            ids[write & (parts[inside] == code)] = label

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
        # down from them.
        self.sprite_depth = float(depth[2])
        try:
            draw(float(px[0, 0]), float(px[0, 1]), -scale if self.camera.mirrored else scale)
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

def ambient_occlusion(depth: np.ndarray, strength: float = 0.4) -> np.ndarray:
    """A darkening factor (0..1) for creases and corners, from the depth buffer alone (screen-space AO).

    A pixel with nearby surfaces a little in front of it sits in a concave place (where floor meets wall,
    under a counter's lip, between seats): less of the room's light reaches it. Neighbours much nearer are
    another object's silhouette, not a crease, and do not count, so nothing gets a dark halo.
    """
    finite = np.isfinite(depth)
    far = float(depth[finite].max()) if finite.any() else 1.0
    z = np.log(np.where(finite, depth, far).astype(np.float32))
    padded = cv2.copyMakeBorder(z, 24, 24, 24, 24, cv2.BORDER_REPLICATE)
    h, w = z.shape
    occlusion = np.zeros_like(z)
    samples = 0
    for radius in (5, 12, 24):
        for angle in np.linspace(0, 2 * np.pi, 8, endpoint=False) + radius:
            dx, dy = int(round(radius * np.cos(angle))), int(round(radius * np.sin(angle)))
            nearer = z - padded[24 + dy:24 + dy + h, 24 + dx:24 + dx + w]
            occlusion += np.where((nearer > 0) & (nearer < 0.06), nearer, 0.0)
            samples += 1
    occlusion /= samples
    return 1.0 - strength * np.clip(occlusion / 0.012, 0, 1)


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
    # Phone tone curve: highlights roll off instead of clipping hard, and a contrast S-curve with a little
    # extra saturation, as phones process their photos.
    img = np.clip(img, 0, None)
    img = 1 - np.exp(-img * 1.6)
    img = img / (1 - np.exp(-1.6))
    img = np.clip(img, 0, 1)
    img = img * img * (3 - 2 * img) * 0.45 + img * 0.55
    grey = img.mean(axis=2, keepdims=True)
    img = grey + (img - grey) * 1.15
    # Phones sharpen: an unsharp mask that leaves the faint halos along edges typical of their photos.
    amount = float(rng.uniform(0.3, 0.7))
    img = img + amount * (img - cv2.GaussianBlur(img, (0, 0), 1.4))
    out = np.clip(img * 255, 0, 255).astype(np.uint8)
    return cv2.cvtColor(out, cv2.COLOR_RGB2BGR)
