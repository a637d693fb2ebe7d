"""Adapters: persistence wiring, SQL read models, importers and exporters."""
