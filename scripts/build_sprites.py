"""Build the people and the freestanding things of the synthetic halls: photographic-looking sprites rendered
offline from textured 3D models, so that the renderer need not model humans, plants or bins itself (its own
shaded solids read as dolls and its boxes as cubes).

Source: Debian's ``sweethome3d-furniture`` package (its Reallusion characters, CC BY 3.0 US, and models of
the Scopia and BlendSwap libraries, CC BY 3.0 or CC0; credits per model in
auditor/synth/assets/LICENSE.md). Steps, each cached under data/sprite_build/:

1. ``apt-get download sweethome3d-furniture`` and unpack its libraries (zips of OBJ models);
2. render each model at a few yaws (and, for things, seen a little from above) with Blender's Cycles
   (``scripts/blender_sprite.py``);
3. smooth the path tracer's noise out of the shading and reduce to the sprite size; for people, find the
   parts (the top garment that uniforms recolour, skin) and key points; then write
   auditor/synth/assets/people/ and auditor/synth/assets/objects/ (WebP pictures, PNG part maps, an index).

Needs Blender (``apt-get install blender``) and network access to Debian; the sprites it writes are
committed, so generating halls needs neither. Run from the repository root:

    .venv/bin/python scripts/build_sprites.py [--only male02] [--samples 64]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# The renderer's own reading of what this writes: the same part codes, colour maths and folder.
from auditor.synth.sprites import ASSETS, PART_GARMENT, PART_SKIN, to_linear, to_srgb, write_part_map

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "data" / "sprite_build"
PACKAGE = "sweethome3d-furniture"
LIBRARIES = "usr/share/sweethome3d/furniture"


@dataclass(frozen=True)
class Figure:
    """A person: a Reallusion character."""
    model: str              # folder of the model in the Reallusion library
    pose: str               # standing or seated
    yaws: tuple[float, ...]  # degrees; 0 faces the camera, 180 shows the back
    # Where the top garment ends, in metres below the top of the head: the garment mask stops there, so
    # trousers or a skirt of a similar colour are not recoloured with it.
    hem_m: float
    px_per_m: float         # the sprite's resolution (people close to the camera must stay sharp)
    # For black and grey garments: how much lighter (CIELAB L) a colourless pixel may be and still be the
    # garment (worn patches painted on a suit), short of the shirt under it.
    lighter_l: float = 20.0
    # People are seen level, and their OBJs are in centimetres.
    elevation_deg = 0.0
    height_m = 0.0

    @property
    def name(self) -> str:
        return self.model

    def obj(self) -> Path:
        return fetch_library("Reallusion") / "reallusion" / self.model / f"{self.model}.obj"


STANDING_YAWS = (0.0, 25.0, -25.0, 155.0, 180.0)
SEATED_YAWS = (0.0, 20.0, -20.0)
FIGURES = [
    Figure("male01", "standing", STANDING_YAWS, 0.9, 260),
    Figure("male02", "standing", STANDING_YAWS, 1.08, 260),
    Figure("female01", "standing", STANDING_YAWS, 0.85, 260),
    Figure("female02", "standing", STANDING_YAWS, 1.1, 260),
    Figure("female03", "standing", STANDING_YAWS, 0.9, 260),
    Figure("holdingMale01", "standing", STANDING_YAWS, 0.94, 260),
    Figure("holdingFemale02", "standing", STANDING_YAWS, 0.9, 260),
    Figure("sitMale01", "seated", SEATED_YAWS, 0.62, 340, lighter_l=30),
    Figure("sitFemale03", "seated", SEATED_YAWS, 0.62, 340, lighter_l=30),
]


@dataclass(frozen=True)
class Thing:
    """A freestanding object: one of the detector's classes, or unlabelled clutter (a kind starting "_")."""
    name: str               # the sprite's name
    kind: str               # the class it is labelled as
    library: str            # Sweet Home 3D library file (without .sh3f)
    model: str              # the OBJ's path inside the library
    credit: str             # creator and licence, for assets/LICENSE.md
    yaws: tuple[float, ...]
    elevation_deg: float    # seen this much from above (floor things from a standing camera, desk things nearer)
    px_per_m: float
    on: str = "floor"       # floor, top (of a counter or desk), or wall (hung on it)
    height_m: float = 0.0   # the catalogue's height, for models whose OBJ is not in centimetres (0: it is)

    def obj(self) -> Path:
        return fetch_library(self.library) / self.model


CC0, CC_BY = "CC0 (BlendSwap)", "CC BY 3.0"
THINGS = [
    Thing("ficus", "plant", "Scopia", "scopia/ficus/ficus.obj", f"Scopia, {CC_BY}", (0.0, 90.0), 16, 260),
    Thing("plant_tall", "plant", "BlendSwap-CC-0", "blendswap-cc-0/plant/plant.obj", f"Ndakasha, {CC0}", (0.0, 60.0),
          16, 260),
    Thing("plant_olive", "plant", "BlendSwap-CC-0", "blendswap-cc-0/decorativePlant/decorativePlant.obj",
          f"MZiemys, {CC0}", (0.0,), 16, 260),
    Thing("spathiphyllum", "plant", "BlendSwap-CC-BY", "blendswap-cc-by/spatifilum/spatifilum.obj",
          f"HeraSK (BlendSwap), {CC_BY}", (0.0, 90.0), 16, 260),
    Thing("yucca", "plant", "BlendSwap-CC-BY", "blendswap-cc-by/yuccaPlant/yuccaPlant.obj",
          f"Betomo16 (BlendSwap), {CC_BY}", (0.0,), 16, 260),
    Thing("little_plant", "plant", "BlendSwap-CC-0", "blendswap-cc-0/littlePlant/littlePlant.obj",
          f"Rameshrj, {CC0}", (0.0,), 12, 700, on="top"),
    Thing("cactus", "plant", "BlendSwap-CC-0", "blendswap-cc-0/cactus/cactus.obj", f"Evivivi, {CC0}", (0.0,), 12,
          700, on="top"),
    Thing("pothos", "plant", "BlendSwap-CC-0", "blendswap-cc-0/augalas/augalas.obj", f"MZiemys, {CC0}", (0.0,), 12,
          700, on="top"),
    Thing("lucky_bamboo", "plant", "BlendSwap-CC-BY", "blendswap-cc-by/luckyBamboo/luckyBamboo.obj",
          f"Renderbob (BlendSwap), {CC_BY}", (0.0,), 12, 700, on="top"),
    Thing("bullet_bin", "bin", "KatorLegaz", "katorlegaz/bullet-trash-can/bullet-trash-can.obj",
          f"Andrew Kator & Jennifer Legaz, {CC_BY} US", (0.0,), 16, 260, height_m=0.74),
    Thing("dustbin", "bin", "BlendSwap-CC-0", "blendswap-cc-0/dustbin/dustbin.obj", f"Ndakasha, {CC0}", (0.0,), 16,
          260),
    Thing("extinguisher", "fire_extinguisher", "BlendSwap-CC-0",
          "blendswap-cc-0/fireExtinguisher/fireExtinguisher.obj", f"Bastable, {CC0}", (0.0, 35.0, -35.0), 16, 260),
    Thing("water_cooler", "water_dispenser", "Scopia", "scopia/water_cooler/water_cooler.obj", f"Scopia, {CC_BY}",
          (0.0, 30.0), 16, 260),
    Thing("mug", "cup", "KatorLegaz", "katorlegaz/coffee-mug/coffee-mug.obj",
          f"Andrew Kator & Jennifer Legaz, {CC_BY} US", (0.0, 60.0, -60.0), 12, 700, on="top", height_m=0.108),
    Thing("paper_cup", "cup", "BlendSwap-CC-BY", "blendswap-cc-by/coffee_cup/coffee_cup.obj",
          f"Dzerbs (BlendSwap), {CC_BY}", (0.0,), 12, 700, on="top", height_m=0.13),
    Thing("plastic_cup", "cup", "BlendSwap-CC-0", "blendswap-cc-0/plasticCup/plasticCup.obj", f"Chemsciguy, {CC0}",
          (0.0,), 12, 700, on="top"),
    Thing("briefcase", "bag", "BlendSwap-CC-0", "blendswap-cc-0/briefcase/briefcase.obj", f"Ulanbek, {CC0}",
          (0.0, 30.0, -30.0), 12, 500, on="top"),
    Thing("handbag", "bag", "BlendSwap-CC-0", "blendswap-cc-0/handbag/handbag.obj", f"Ulanbek, {CC0}",
          (0.0, 30.0, -30.0), 12, 500, on="top"),
    Thing("backpack", "bag", "BlendSwap-CC-BY", "blendswap-cc-by/backpack/backpack.obj", f"Jo.3D (BlendSwap), {CC_BY}",
          (0.0, 40.0, -40.0), 12, 500, on="top"),
]
# Unlabelled things (class names starting with "_": not the detector's classes) that real halls have and
# that make a generated one less bare: chairs, cabinets, boxes, an air conditioner, a camera, desk clutter.
CLUTTER = [
    Thing("office_chair", "_office_chair", "Scopia", "scopia/office_chair/office_chair.obj", f"Scopia, {CC_BY}",
          (0.0, 20.0, -20.0), 16, 260, height_m=1.0),
    Thing("plastic_chair", "_chair", "BlendSwap-CC-0", "blendswap-cc-0/plasticChair/plasticChair.obj",
          f"exL, {CC0}", (0.0, 30.0, -30.0), 16, 260),
    Thing("folding_chair", "_chair", "BlendSwap-CC-BY", "blendswap-cc-by/foldingChair/foldingChair.obj",
          f"Giovagiova (BlendSwap), {CC_BY}", (0.0, 30.0), 16, 260),
    Thing("grey_chair", "_chair", "BlendSwap-CC-BY", "blendswap-cc-by/cafe_set_tonon_chair/cafe_set_tonon_chair.obj",
          f"Voodoc (BlendSwap), {CC_BY}", (0.0, -30.0), 16, 260),
    Thing("cardboard_box", "_box", "Scopia", "scopia/cardboard-box/cardboard-box.obj", f"Scopia, {CC_BY}",
          (0.0, 25.0), 16, 260),
    Thing("open_box", "_box", "Scopia", "scopia/open-cardboard-box/open-cardboard-box.obj", f"Scopia, {CC_BY}",
          (0.0,), 16, 260),
    Thing("locker", "_cabinet", "BlendSwap-CC-0", "blendswap-cc-0/lockedLocker/lockedLocker.obj", f"Twin97, {CC0}",
          (0.0,), 16, 260, height_m=1.8),
    Thing("bookcase", "_cabinet", "BlendSwap-CC-0", "blendswap-cc-0/bookcase/bookcase.obj", f"Michtek, {CC0}",
          (0.0,), 16, 260),
    Thing("whiteboard", "_whiteboard", "BlendSwap-CC-0", "blendswap-cc-0/whiteBoard/whiteBoard.obj",
          f"Redsymbzone, {CC0}", (0.0, 25.0), 16, 260),
    Thing("air_conditioner", "_ac_unit", "Scopia",
          "scopia/internal-unity-air-conditioning/internal-unity-air-conditioning.obj", f"Scopia, {CC_BY}", (0.0,),
          -12, 260, on="wall"),
    Thing("cctv", "_camera", "BlendSwap-CC-BY", "blendswap-cc-by/surveillanceCamera/surveillanceCamera.obj",
          f"Starkerg (BlendSwap), {CC_BY}", (20.0, -20.0), -20, 500, on="wall"),
    Thing("calendar", "_desk_clutter", "BlendSwap-CC-0", "blendswap-cc-0/kalender/kalender.obj", f"Teguh9384, {CC0}",
          (0.0, 25.0), 12, 700, on="top"),
    Thing("letter_tray", "_desk_clutter", "Scopia", "scopia/bandeja/bandeja.obj", f"Scopia, {CC_BY}", (0.0, 30.0), 12,
          700, on="top"),
]
THINGS += CLUTTER
SUPERSAMPLE = 2


def fetch_library(name: str) -> Path:
    """The unpacked library ``name`` of the Debian package (downloaded and unpacked once)."""
    folder = BUILD / "libraries" / name
    if folder.is_dir():
        return folder
    BUILD.mkdir(parents=True, exist_ok=True)
    debs = list(BUILD.glob(f"{PACKAGE}_*.deb"))
    if not debs:
        subprocess.run(["apt-get", "download", PACKAGE], cwd=BUILD, check=True)
        debs = list(BUILD.glob(f"{PACKAGE}_*.deb"))
    unpacked = BUILD / "deb"
    if not unpacked.is_dir():
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(unpacked)], check=True)
    with zipfile.ZipFile(unpacked / LIBRARIES / f"{name}.sh3f") as library:
        library.extractall(folder)
    return folder


# The Blender script that renders one view of a model.
BLENDER_SCRIPT = ROOT / "scripts" / "blender_sprite.py"


def render_key(obj: Path, args: list[str]) -> str:
    """What a cached render was made from: the model's OBJ file, the Blender script and its arguments. A
    render is redone when any of them changes (the name alone let a changed model or sample count keep an
    old picture); a change to the model's material or texture files alone is not seen (remove the render
    under data/sprite_build/renders/ by hand)."""
    digest = hashlib.sha256()
    for part in (obj.read_bytes(), BLENDER_SCRIPT.read_bytes(), "\0".join(args).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def render(obj: Path, name: str, yaw: float, elevation_deg: float, px_per_m: float, samples: int,
           height_m: float = 0.0) -> Path:
    """Blender's render of one model, cached under data/sprite_build/renders/NAME while ``render_key`` holds
    (a render cached before the key was kept is redone once)."""
    out = BUILD / "renders" / name
    args = [str(yaw), str(elevation_deg), str(px_per_m * SUPERSAMPLE), str(samples), str(height_m)]
    key = render_key(obj, args)
    if (out / "render.json").is_file() and (out / "key.txt").is_file() and (out / "key.txt").read_text() == key:
        return out
    out.mkdir(parents=True, exist_ok=True)
    (out / "key.txt").unlink(missing_ok=True)  # a run that fails half-way must not leave a matching key
    subprocess.run(["blender", "-b", "-P", str(BLENDER_SCRIPT), "--", str(obj), str(out),
                    *args], check=True, stdout=subprocess.DEVNULL)
    (out / "key.txt").write_text(key)
    return out


def sprite_name(model: str, yaw: float) -> str:
    return f"{model}_{yaw:+04.0f}"


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.2126, 0.7152, 0.0722], np.float32)


def _masked_blur(values: np.ndarray, mask: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing of ``values`` over ``mask`` only (normalised convolution), so the background does
    not bleed into the figure's edge."""
    weight = mask.astype(np.float32)
    return cv2.GaussianBlur(values * weight, (0, 0), sigma) / np.maximum(cv2.GaussianBlur(weight, (0, 0), sigma), 1e-4)


def _lab(srgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.clip(srgb, 0, 1).astype(np.float32), cv2.COLOR_RGB2Lab)


def clean_render(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """(colour sRGB 0..1, coverage 0..1, albedo sRGB 0..1, render facts) at the sprite's size: the path
    tracer's shading divided out of its colour, smoothed (its grain is sampling noise, not cloth) and put
    back onto the clean albedo, then reduced by SUPERSAMPLE."""
    facts = json.loads((folder / "render.json").read_text())
    beauty = cv2.cvtColor(cv2.imread(str(folder / "beauty0001.png"), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGRA2RGBA)
    albedo = cv2.cvtColor(cv2.imread(str(folder / "albedo0001.png"), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGRA2RGBA)
    beauty, albedo = beauty.astype(np.float32) / 255, albedo.astype(np.float32) / 255
    alpha = beauty[..., 3]
    solid = alpha > 0.5
    lin_beauty, lin_albedo = to_linear(beauty[..., :3]), to_linear(albedo[..., :3])
    shade = np.where(solid, _luma(lin_beauty) / np.maximum(_luma(lin_albedo), 0.01), 0).astype(np.float32)
    shade = _masked_blur(shade, solid, 1.5 * SUPERSAMPLE)
    # Exposure: the brightly lit side of the figure shows its albedo as is.
    shade /= max(float(np.percentile(shade[solid], 90)), 1e-3)
    colour = to_srgb(lin_albedo * shade[..., None])
    h, w = alpha.shape
    size = (w // SUPERSAMPLE, h // SUPERSAMPLE)
    reduce = lambda image: cv2.resize(image.astype(np.float32), size, interpolation=cv2.INTER_AREA)  # noqa: E731
    cover = reduce(alpha)
    safe = np.maximum(cover, 1e-4)[..., None]
    return (reduce(colour * alpha[..., None]) / safe, cover, reduce(albedo[..., :3] * alpha[..., None]) / safe,
            facts)


def find_parts(colour: np.ndarray, cover: np.ndarray, albedo: np.ndarray, figure: Figure, yaw: float
               ) -> tuple[np.ndarray, np.ndarray, dict]:
    """The part map (PART_GARMENT, PART_SKIN, 0 for anything else), the garment's light relative to its
    typical (median) lit pixel, and the sprite's key points (rows and columns in pixels)."""
    ppm = figure.px_per_m
    solid = cover > 0.5
    rows = np.flatnonzero(solid.any(axis=1))
    head_top, foot = int(rows[0]), int(rows[-1])
    m = lambda metres: int(round(metres * ppm))  # noqa: E731

    def centre_col(r0: int, r1: int) -> int:
        mass = solid[r0:r1].sum(axis=0).astype(np.float64)
        if not mass.any():
            return solid.shape[1] // 2
        return int(round((mass * np.arange(mass.size)).sum() / mass.sum()))

    # The chest: 0.33-0.50 m below the top of the head, the middle of the torso there.
    chest0, chest1 = head_top + m(0.33), head_top + m(0.50)
    torso_x = centre_col(chest0, chest1)
    lab = _lab(albedo)
    # The top garment is the commonest colour over the torso (an open jacket shows a shirt at its middle):
    # cluster the torso's albedo and take the biggest cluster.
    x0, x1 = max(torso_x - m(0.16), 0), torso_x + m(0.16)
    torso = lab[chest0:chest1, x0:x1][solid[chest0:chest1, x0:x1]].astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.5)
    cv2.setRNGSeed(0)
    _, assigned, centres = cv2.kmeans(torso, 3, None, criteria, 3, cv2.KMEANS_PP_CENTERS)
    biggest = int(np.bincount(assigned.ravel(), minlength=3).argmax())
    garment_lab = centres[biggest]
    # As loose as the cloth's own shading needs, but never so loose as to take in a shirt or tie beside it.
    others = [float(np.linalg.norm(c - garment_lab)) for i, c in enumerate(centres) if i != biggest]
    # Folds and creases painted into the texture are darker cloth, not another garment: darker counts less.
    diff = lab - garment_lab
    diff[..., 0] = np.where(diff[..., 0] < 0, 0.4, 0.6) * diff[..., 0]
    near = np.linalg.norm(diff, axis=-1) < float(np.clip(0.55 * min(others), 12, 28))
    if np.hypot(garment_lab[1], garment_lab[2]) < 10:
        # A black or grey suit: its textures paint worn, lighter patches on shoulders and lapels. Any
        # colourless pixel not much lighter belongs to it (a white shirt is far lighter).
        chroma = np.hypot(lab[..., 1], lab[..., 2])
        near |= (chroma < 12) & (lab[..., 0] > garment_lab[0] - 25) & (lab[..., 0] < garment_lab[0] + figure.lighter_l)
    band = np.zeros_like(solid)
    band[head_top + m(0.18):head_top + m(figure.hem_m)] = True
    candidate = (near & band & solid).astype(np.uint8)
    candidate = cv2.morphologyEx(candidate, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) & band & solid
    count, labels = cv2.connectedComponents(candidate.astype(np.uint8))
    sizes = np.bincount(labels.ravel(), minlength=count)
    sizes[0] = 0
    # The garment's pieces: what shows on the torso, and sleeves cut off from it by a shadow line.
    in_torso = set(np.unique(labels[chest0:chest1, x0:x1]).tolist())
    keep = [i for i in range(1, count) if (i in in_torso and sizes[i] >= 0.02 * sizes.max())
            or sizes[i] >= 0.08 * sizes.max()]
    garment = np.isin(labels, list(keep)) & solid
    parts = np.where(garment, PART_GARMENT, 0).astype(np.uint8)
    head_x = centre_col(head_top, head_top + m(0.15))
    if abs(yaw) < 90:
        # Skin: the face's colour, found on the hands and neck too.
        face = lab[head_top + m(0.10):head_top + m(0.17), head_x - m(0.03):head_x + m(0.03)]
        skin_lab = np.median(face.reshape(-1, 3), axis=0)
        skin = (np.linalg.norm(lab - skin_lab, axis=-1) < 14) & solid & ~garment
        parts[skin] = PART_SKIN
    # The garment's light relative to its typical pixel: what a new colour is multiplied by, so that the
    # garment reads as that colour where it is typically lit. The texture's painted folds and the render's
    # shading together span a wider range than a real garment under a hall's diffuse light: compressed.
    luma = _luma(to_linear(colour))
    ref = float(np.median(luma[garment])) if garment.any() else 1.0
    shade = np.where(garment, np.clip((luma / max(ref, 1e-4)) ** 0.65, 0.25, 1.25), 0)
    points = {"head_top": head_top, "foot": foot, "torso_x": torso_x, "head_x": head_x}
    return parts, shade.astype(np.float32), points


def _write_picture(path: Path, colour: np.ndarray, cover: np.ndarray) -> None:
    bgra = cv2.cvtColor((np.dstack([np.clip(colour, 0, 1), cover]) * 255).round().astype(np.uint8),
                        cv2.COLOR_RGBA2BGRA)
    cv2.imwrite(str(path), bgra, [cv2.IMWRITE_WEBP_QUALITY, 90])


def _write_index(path: Path, entries: dict[str, dict], source: str) -> None:
    path.write_text(json.dumps({"source": source, "sprites": sorted(entries.values(), key=lambda e: e["name"])},
                               indent=1) + "\n")


def _index(path: Path) -> dict[str, dict]:
    return {e["name"]: e for e in json.loads(path.read_text())["sprites"]} if path.is_file() else {}


def _views(models: list[Figure] | list[Thing]) -> Iterator[tuple[Figure | Thing, float, str]]:
    """(model, yaw, sprite name) of every view of ``models``."""
    for model in models:
        for yaw in model.yaws:
            yield model, yaw, sprite_name(model.name, yaw)


def write_people(figures: list[Figure], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    index = _index(folder / "people.json")
    for figure, yaw, name in _views(figures):
        colour, cover, albedo, facts = clean_render(BUILD / "renders" / name)
        parts, shade, points = find_parts(colour, cover, albedo, figure, yaw)
        _write_picture(folder / f"{name}.webp", colour, cover)
        write_part_map(folder / f"{name}.parts.png", parts, shade)
        index[name] = {"name": name, "model": figure.model, "pose": figure.pose, "yaw_deg": yaw,
                       "px_per_m": figure.px_per_m, "hem_m": figure.hem_m,
                       "model_height_m": round(facts["height_m"], 3), **points}
        print("wrote", name, f"garment {int((parts == PART_GARMENT).sum())} px", flush=True)
    _write_index(folder / "people.json", index, "Reallusion characters of Debian's sweethome3d-furniture 1.8 "
                 "(CC BY 3.0 US), rendered by scripts/build_sprites.py")


def write_things(things: list[Thing], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    index = _index(folder / "objects.json")
    for thing, yaw, name in _views(things):
        colour, cover, _, facts = clean_render(BUILD / "renders" / name)
        _write_picture(folder / f"{name}.webp", colour, cover)
        base_x, base_y = facts["base_px"]
        index[name] = {"name": name, "kind": thing.kind, "on": thing.on, "yaw_deg": yaw,
                       "elevation_deg": thing.elevation_deg, "px_per_m": thing.px_per_m,
                       "model_height_m": round(facts["height_m"], 3),
                       "base": [round(base_x / SUPERSAMPLE, 1), round(base_y / SUPERSAMPLE, 1)],
                       "credit": thing.credit}
        print("wrote", name, flush=True)
    _write_index(folder / "objects.json", index, "models of Debian's sweethome3d-furniture 1.8 (credits per "
                 "sprite), rendered by scripts/build_sprites.py")


def write_licence(path: Path) -> None:
    """assets/LICENSE.md: where every sprite comes from, under which licence, and what was changed."""
    rows = "\n".join(f"| `objects/{t.name}_*` | {t.kind} | {t.library} `{t.model}` | {t.credit} |" for t in THINGS)
    path.write_text(f"""# Sprites: sources and licences

Every picture under `people/` and `objects/` is a rendering of a 3D model from Debian's
`sweethome3d-furniture` package (version 1.8), made by `scripts/build_sprites.py`.

**People** (`people/*`): the Reallusion characters of the library `Reallusion.sh3f`, Copyright 2008-2011
Reallusion, <http://www.reallusion.com>, licensed under the Creative Commons Attribution 3.0 United States
licence (<http://creativecommons.org/licenses/by/3.0/us/>).

**Things** (`objects/*`):

| sprites | class | library and model | creator, licence |
|---|---|---|---|
{rows}

CC BY 3.0: <http://creativecommons.org/licenses/by/3.0/>; CC0: <http://creativecommons.org/publicdomain/zero/1.0/>.

**Changes made to the original works.** The 3D models were rendered to 2D pictures (Blender Cycles, an
orthographic camera, turned to a few yaws and, for things, seen a little from above), their rendering noise
smoothed and their size reduced; people were given part maps. At run time the synthetic-hall generator
recolours people's top garment, draws badges, vests and hats on them, scales every picture and composites
it into generated photos. The creators do not endorse this project.
""")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", help="build only these models or things (repeatable)")
    parser.add_argument("--samples", type=int, default=64, help="Cycles samples per pixel (default 64)")
    parser.add_argument("--render-only", action="store_true", help="render, do not write the sprites")
    args = parser.parse_args(argv)
    if shutil.which("blender") is None:
        print("Blender is needed: apt-get install blender", file=sys.stderr)
        return 1
    figures = [f for f in FIGURES if not args.only or f.model in args.only]
    things = [t for t in THINGS if not args.only or t.name in args.only]
    for model, yaw, name in [*_views(figures), *_views(things)]:
        render(model.obj(), name, yaw, model.elevation_deg, model.px_per_m, args.samples, model.height_m)
        print("rendered", name, flush=True)
    if args.render_only:
        return 0
    write_people(figures, ASSETS / "people")
    write_things(things, ASSETS / "objects")
    write_licence(ASSETS / "LICENSE.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
