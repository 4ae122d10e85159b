"""Builds the pipeline a run uses from the settings: the classifier engine and the detectors."""

from __future__ import annotations

from tracehound.classifiers.engine import SensitiveDataEngine, load_custom_types
from tracehound.config import Settings
from tracehound.detectors.behaviour_engine import BehaviourEngine
from tracehound.detectors.engine import SignatureEngine
from tracehound.pipeline.normalize import Limits
from tracehound.pipeline.runner import Pipeline
from tracehound.pipeline.segments import split_key


def build_limits(settings: Settings) -> Limits:
    lim = settings.limits
    return Limits(
        max_body_bytes=lim.max_body_bytes,
        max_decompressed_bytes=lim.max_decompressed_bytes,
        max_json_depth=lim.max_json_depth,
    )


def build_classifier(settings: Settings) -> SensitiveDataEngine:
    return SensitiveDataEngine(load_custom_types(settings.sensitive.custom_types))


def build_pipeline(settings: Settings, classifier: SensitiveDataEngine | None = None) -> Pipeline:
    det = settings.detection
    signatures = SignatureEngine() if det.sensitivity is None else SignatureEngine(sensitivity=det.sensitivity)
    return Pipeline(
        classifier=classifier or build_classifier(settings),
        inspectors=[signatures],
        limits=build_limits(settings),
        behaviour=BehaviourEngine(disabled=det.disabled),
        keep_literal=frozenset(split_key(p) for p in settings.templates.keep_literal),
    )
