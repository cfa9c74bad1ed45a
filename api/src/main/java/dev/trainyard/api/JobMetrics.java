package dev.trainyard.api;

/**
 * The latest system figures of a job, as job summaries show them: GPU utilization in percent
 * (averaged over the job's GPUs; null without GPUs or before the first sample) and resident memory
 * in GB.
 */
public record JobMetrics(Double gpuUtilization, Double memoryUsage) {}
