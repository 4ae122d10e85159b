"""Builds the pipeline a run uses from the settings: the classifier engine and the detectors."""

from __future__ import annotations

from tracehound.classifiers.engine import SensitiveDataEngine, load_custom_types
from tracehound.config import Settings
from tracehound.detectors.engine import SignatureEngine, registered_detectors
from tracehound.errors import ConfigError
from tracehound.pipeline.behaviour import BehaviourEngine, registered_behaviour_detectors
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


def build_signatures(settings: Settings) -> SignatureEngine:
    """The request-attack engine, with the detectors ``detection.disabled`` names left out.

    An id that names no detector is a ConfigError listing the known ones, so a misspelt id
    never leaves a detector silently switched on.
    """
    det = settings.detection
    signature_ids = set(registered_detectors())
    known = signature_ids | set(registered_behaviour_detectors())
    unknown = sorted(set(det.disabled) - known)
    if unknown:
        raise ConfigError(
            f"detection.disabled: unknown detector id(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    enabled = sorted(signature_ids - set(det.disabled))
    if det.sensitivity is None:
        return SignatureEngine(enabled=enabled)
    try:
        return SignatureEngine(sensitivity=det.sensitivity, enabled=enabled)
    except ValueError as exc:
        raise ConfigError(f"detection.sensitivity: {exc}") from exc


def build_pipeline(settings: Settings, classifier: SensitiveDataEngine | None = None) -> Pipeline:
    det = settings.detection
    signatures = build_signatures(settings)
    return Pipeline(
        classifier=classifier or build_classifier(settings),
        inspectors=[signatures],
        limits=build_limits(settings),
        behaviour=BehaviourEngine(disabled=det.disabled),
        keep_literal=frozenset(split_key(p) for p in settings.templates.keep_literal),
    )
