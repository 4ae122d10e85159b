"""Whole-picture work over merged profiles: templating, behavioural detection, risk, alerts."""
