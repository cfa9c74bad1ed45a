package dev.trainyard.api;

/** Exports a model version (the latest when left out): onnx (linear models) or native (Tribuo's format). */
public record ExportModelRequest(String format, Integer version) {}
