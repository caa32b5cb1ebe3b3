"""People in the hall, drawn facing the camera at their projected foot point: staff in uniform with or
without a work badge, volunteers in red vests, visitors in everyday clothes."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from auditor.synth.render import Colour, Frame

# What each colour name of the vocabulary looks like on cloth (RGB 0..1), a few shades each.
CLOTH: dict[str, list[Colour]] = {
    "dark_blue": [(0.09, 0.13, 0.30), (0.12, 0.17, 0.36), (0.07, 0.10, 0.24)],
    "white": [(0.93, 0.93, 0.92), (0.88, 0.9, 0.93)],
    "black": [(0.07, 0.07, 0.08), (0.11, 0.1, 0.1)],
    "grey": [(0.5, 0.5, 0.5), (0.62, 0.62, 0.6)],
    "red": [(0.8, 0.1, 0.1), (0.72, 0.08, 0.1)],
    "orange": [(0.93, 0.5, 0.12)],
    "yellow": [(0.93, 0.82, 0.2)],
    "green": [(0.2, 0.55, 0.25), (0.35, 0.6, 0.3)],
    "blue": [(0.25, 0.5, 0.85), (0.3, 0.6, 0.9)],
    "brown": [(0.42, 0.27, 0.15), (0.5, 0.33, 0.2)],
}
SKIN: list[Colour] = [(0.87, 0.71, 0.58), (0.8, 0.63, 0.5), (0.9, 0.76, 0.64)]
HAIR: list[Colour] = [(0.06, 0.05, 0.05), (0.12, 0.09, 0.07), (0.2, 0.15, 0.1)]
TROUSERS: list[Colour] = [(0.08, 0.08, 0.1), (0.15, 0.15, 0.2), (0.3, 0.3, 0.32), (0.18, 0.22, 0.35)]


@dataclass(frozen=True)
class PersonLook:
    role: str           # staff, volunteer, visitor
    top: str            # colour name of the upper garment (what dress checks read)
    top_rgb: Colour
    badge: bool
    vest: bool
    seated: bool
    height_m: float
    skin: Colour
    hair: Colour
    trousers: Colour
    hat: bool = False
    # The pose, so that no two people stand like the same doll: per arm (left, right) how far the hand
    # comes in front of the body (m, inwards) and how high it is raised (m); the stance; a turn of the head.
    hands_in: tuple[float, float] = (0.0, 0.0)
    hands_up: tuple[float, float] = (0.0, 0.0)
    stance: float = 0.0
    head_turn: float = 0.0


def look(rng: np.random.Generator, role: str, top: str, badge: bool, vest: bool, seated: bool,
         hat: bool = False) -> PersonLook:
    shades = CLOTH[top]
    return PersonLook(role=role, top=top, top_rgb=shades[int(rng.integers(len(shades)))], badge=badge, vest=vest,
                      seated=seated, height_m=float(rng.uniform(1.58, 1.80)),
                      skin=SKIN[int(rng.integers(len(SKIN)))], hair=HAIR[int(rng.integers(len(HAIR)))],
                      trousers=TROUSERS[int(rng.integers(len(TROUSERS)))], hat=hat,
                      hands_in=(float(rng.uniform(-0.02, 0.12)), float(rng.uniform(-0.02, 0.12))),
                      hands_up=(float(rng.choice([0.0, rng.uniform(0.05, 0.3)])), float(rng.uniform(0.0, 0.08))),
                      stance=float(rng.uniform(-0.02, 0.06)), head_turn=float(rng.uniform(-0.015, 0.015)))


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    pts = cv2.ellipse2Poly((int(cx * 8), int(cy * 8)), (max(int(abs(rx) * 8), 1), max(int(abs(ry) * 8), 1)),
                           0, 0, 360, 10)
    return pts.astype(np.float32) / 8


def _round_body(frame: Frame, person: int, px: float, s: float) -> None:
    """Shade the figure as a rounded body in cloth lit from above: each limb and the torso darker towards
    their edges, folds of fabric, light falling off towards the feet, and a soft edge against the room."""
    own = [person] + [i for i, lab in enumerate(frame.labels) if lab.parent == person]
    ys, xs = np.nonzero(np.isin(frame.ids, own))
    if len(xs) == 0:
        return
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    region = frame.ids[y0:y1, x0:x1]
    mask = np.isin(region, own)
    # Distance to the figure's outline stands in for the surface turning away: every part is a cylinder.
    inside = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    rim = np.clip(inside / max(0.05 * s, 1.5), 0, 1)
    cols = (np.arange(x0, x1) - px) / max(0.26 * s, 1.0)
    across = 0.85 + 0.15 * np.cos(np.clip(cols, -1.4, 1.4))
    down = np.linspace(1.08, 0.82, y1 - y0)
    # Folds: long soft streaks down the cloth.
    seed = int(abs(px) * 7 + y0) % (2 ** 31)
    rng = np.random.default_rng(seed)
    folds = cv2.resize(rng.normal(0, 1, (max((y1 - y0) // 10, 2), max((x1 - x0) // 3, 2))).astype(np.float32),
                       (x1 - x0, y1 - y0), interpolation=cv2.INTER_CUBIC)
    factor = down[:, None] * across[None, :] * (0.72 + 0.28 * rim) * (1 + 0.05 * folds)
    factor = np.where(mask, factor, 1.0).astype(np.float32)
    patch = frame.rgb[y0:y1, x0:x1]
    shaded = patch * factor[..., None]
    # Soften the cut-out edge by half a pixel, as a lens would: blend the outline with what lies behind.
    soft = cv2.GaussianBlur(shaded, (3, 3), 0.6)
    edge = (mask & (inside < 1.5))[..., None]
    patch[:] = np.where(edge, soft, shaded)


def _darker(c: Colour, f: float) -> Colour:
    return (c[0] * f, c[1] * f, c[2] * f)


def draw_person(frame: Frame, px: float, py: float, scale: float, p: PersonLook
                ) -> tuple[int, tuple[int, int, int, int]]:
    """Draw at foot point (px, py) with ``scale`` pixels per metre; returns the person's label id and the
    pixel box of the chest (where dress colour and badge are judged)."""
    person = frame.new_label("person")
    s = scale * p.height_m / 1.7
    # Heights above the floor (metres, for a 1.7 m person): seated people are lower and their legs bent
    # forward under the desk, so only the upper body is drawn.
    hip = 0.48 if p.seated else 0.92
    shoulder = hip + 0.55
    head_c = shoulder + 0.17
    y = lambda z: py - z * s  # noqa: E731  (a tiny local projection)
    half_sh, half_hip = 0.21 * s, 0.17 * s
    if not p.seated:
        for side in (-1, 1):
            out = side * p.stance * s * (1.0 if side > 0 else 0.5)  # weight on one leg, the other set out
            leg = np.array([[px + side * 0.02 * s, y(hip)], [px + side * 0.16 * s, y(hip)],
                            [px + side * 0.13 * s + out, y(0.05)], [px + side * 0.04 * s + out, y(0.05)]])
            frame.fill(leg, p.trousers, person)
            frame.fill(np.array([[px + side * 0.03 * s + out, y(0.07)], [px + side * 0.15 * s + out, y(0.07)],
                                 [px + side * 0.17 * s + out, y(0.0)], [px + side * 0.02 * s + out, y(0.0)]]),
                       (0.05, 0.05, 0.05), person)
    else:
        frame.fill(np.array([[px - half_hip, y(hip + 0.05)], [px + half_hip, y(hip + 0.05)],
                             [px + half_hip * 1.1, y(hip - 0.12)], [px - half_hip * 1.1, y(hip - 0.12)]]),
                   p.trousers, person)
    # Arms first (upper arm, then forearm bent a little towards the belly), the torso over them.
    for arm, side in enumerate((-1, 1)):
        shoulder_x, elbow_x = px + side * half_sh * 0.9, px + side * (half_sh + 0.05 * s)
        elbow_z = shoulder - 0.3 + p.hands_up[arm] * 0.3
        upper = np.array([[shoulder_x - side * 0.02 * s, y(shoulder - 0.03)],
                          [shoulder_x + side * 0.06 * s, y(shoulder - 0.05)],
                          [elbow_x + side * 0.035 * s, y(elbow_z)], [elbow_x - side * 0.04 * s, y(elbow_z)]])
        frame.fill(upper, _darker(p.top_rgb, 0.85), person)
        hand_x = px + side * (half_hip + 0.02 * s - p.hands_in[arm] * s)
        hand_z = hip + p.hands_up[arm]
        fore = np.array([[elbow_x - side * 0.04 * s, y(elbow_z + 0.02)],
                         [elbow_x + side * 0.035 * s, y(elbow_z + 0.02)],
                         [hand_x + side * 0.03 * s, y(hand_z + 0.06)], [hand_x - side * 0.03 * s, y(hand_z + 0.08)]])
        frame.fill(fore, _darker(p.top_rgb, 0.78), person)
        frame.fill(_ellipse(hand_x, y(hand_z + 0.03), 0.038 * s, 0.05 * s), p.skin, person)
    torso = np.array([[px - half_sh * 0.92, y(shoulder + 0.01)], [px + half_sh * 0.92, y(shoulder + 0.01)],
                      [px + half_sh * 0.98, y(shoulder - 0.12)], [px + half_hip * 1.02, y(hip + 0.12)],
                      [px + half_hip, y(hip)], [px - half_hip, y(hip)], [px - half_hip * 1.02, y(hip + 0.12)],
                      [px - half_sh * 0.98, y(shoulder - 0.12)]])
    frame.fill(torso, p.top_rgb, person)
    for side in (-1, 1):
        # Rounded shoulders.
        frame.fill(_ellipse(px + side * half_sh * 0.8, y(shoulder - 0.035), 0.075 * s, 0.05 * s), p.top_rgb, person)
    # Folds and the shadowed flanks give the torso volume.
    for side in (-1, 1):
        flank = np.array([[px + side * half_sh * 0.95, y(shoulder - 0.05)],
                          [px + side * half_sh * 0.72, y(shoulder - 0.05)],
                          [px + side * half_hip * 0.7, y(hip)], [px + side * half_hip, y(hip)]])
        frame.fill(flank, _darker(p.top_rgb, 0.8), person, alpha=0.5)
    # Collar and neck.
    frame.fill(np.array([[px - 0.045 * s, y(shoulder + 0.06)], [px + 0.045 * s, y(shoulder + 0.06)],
                         [px + 0.05 * s, y(shoulder - 0.01)], [px - 0.05 * s, y(shoulder - 0.01)]]),
               _darker(p.skin, 0.88), person)
    if p.top in ("dark_blue", "black"):
        # A jacket over a white shirt: the V of the shirt shows at the collar.
        frame.fill(np.array([[px - 0.06 * s, y(shoulder)], [px + 0.06 * s, y(shoulder)], [px, y(shoulder - 0.18)]]),
                   (0.94, 0.94, 0.94), person)
    # Head: hair behind, ears, face, fringe; eyes once the face is big enough to show them. A slight turn
    # of the head moves it off the body's axis.
    px_body, px = px, px + p.head_turn * s
    frame.fill(_ellipse(px, y(head_c + 0.025), 0.1 * s, 0.125 * s), p.hair, person)
    for side in (-1, 1):
        frame.fill(_ellipse(px + side * 0.092 * s, y(head_c), 0.018 * s, 0.03 * s), _darker(p.skin, 0.92), person)
    frame.fill(_ellipse(px, y(head_c - 0.01), 0.088 * s, 0.112 * s), p.skin, person)
    frame.fill(_ellipse(px, y(head_c + 0.075), 0.092 * s, 0.05 * s), p.hair, person)
    if abs(s) * 0.1 > 7:
        for side in (-1, 1):
            frame.fill(_ellipse(px + side * 0.033 * s, y(head_c + 0.005), 0.011 * s, 0.007 * s), (0.1, 0.08, 0.07),
                       person)
        frame.fill(_ellipse(px, y(head_c - 0.065), 0.022 * s, 0.006 * s), _darker(p.skin, 0.75), person)
    if p.hat:
        hat = frame.new_label("hat", parent=person)
        frame.fill(_ellipse(px, y(head_c + 0.08), 0.11 * s, 0.07 * s), (0.12, 0.12, 0.14), hat)
        brim = np.array([[px - 0.02 * s, y(head_c + 0.05)], [px + 0.17 * s, y(head_c + 0.05)],
                         [px + 0.17 * s, y(head_c + 0.03)], [px - 0.02 * s, y(head_c + 0.03)]])
        frame.fill(brim, (0.1, 0.1, 0.12), hat)
    px = px_body
    if p.vest:
        vest = frame.new_label("volunteer_vest", parent=person)
        for side in (-1, 1):
            panel = np.array([[px + side * 0.05 * s, y(shoulder)], [px + side * half_sh * 1.02, y(shoulder - 0.01)],
                              [px + side * half_hip * 1.05, y(hip + 0.02)], [px + side * 0.06 * s, y(hip + 0.02)]])
            frame.fill(panel, (0.82, 0.08, 0.08), vest)
            frame.fill(np.array([[px + side * 0.07 * s, y(hip + 0.2)], [px + side * half_hip * 1.05, y(hip + 0.2)],
                                 [px + side * half_hip * 1.05, y(hip + 0.17)], [px + side * 0.07 * s, y(hip + 0.17)]]),
                       (0.95, 0.95, 0.85), vest)
    if p.badge:
        badge = frame.new_label("work_badge", parent=person)
        # On the left chest: the viewer's right, as the person faces the camera.
        bx, bz = px + 0.1 * s, shoulder - 0.14
        card = np.array([[bx - 0.035 * s, y(bz + 0.05)], [bx + 0.035 * s, y(bz + 0.05)],
                         [bx + 0.035 * s, y(bz - 0.05)], [bx - 0.035 * s, y(bz - 0.05)]])
        frame.fill(card, (0.97, 0.97, 0.97), badge)
        frame.fill(np.array([[bx - 0.035 * s, y(bz + 0.05)], [bx + 0.035 * s, y(bz + 0.05)],
                             [bx + 0.035 * s, y(bz + 0.02)], [bx - 0.035 * s, y(bz + 0.02)]]), (0.1, 0.3, 0.7), badge)
    _round_body(frame, person, px, abs(s))
    top, bottom = sorted((y(shoulder - 0.05), y(shoulder - 0.3)))
    chest = (int(px - 0.15 * abs(s)), int(top), int(px + 0.15 * abs(s)) + 1, int(bottom) + 1)
    return person, chest
