"""Detector backends. Each returns ``supervision.Detections`` with a ``class_name`` data column.

- yolo: objects and persons from any ultralytics model, through a class map (models/detector.yaml)
- ocr: sign text (rapidocr, offline)
- lines: painted and taped floor lines (OpenCV colour segmentation)
- colour: the colour vocabulary, and the dominant colour of a region (for dress)
"""

from auditor.detectors.base import LineFinder, ObjectDetector, TextReader, detections

__all__ = ["ObjectDetector", "TextReader", "LineFinder", "detections"]
