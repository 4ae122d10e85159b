"""Detectors: one module per detection family, found by ``tracehound._registry.discover``.

Request (signature) detectors subclass :class:`tracehound.detectors.base.RequestDetector` and are
run by :class:`tracehound.detectors.engine.SignatureEngine`. Behavioural detectors live in the same
package with their own base class, so one registry walk per base finds each kind.
"""
