"""The HTTP layer: the only package that imports Flask (vendor API, control API, softphone and pages)."""
