package dev.trainyard.server.executor;

/** What one GPU is doing at one moment: utilization in percent and memory in use. */
public record GpuUse(double utilizationPercent, long memoryUsedBytes) {}
