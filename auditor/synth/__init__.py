"""Synthetic street service halls with exact truth: ``auditor synth`` (dataset.py) renders them, scene.py and
areas.py compose them, render.py and camera.py draw them, truth.py is the schema of their truth.json."""
