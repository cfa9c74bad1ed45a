package dev.trainyard.server.executor;

/**
 * Resources a job uses at one moment.
 *
 * @param residentBytes resident memory of all the job's processes
 * @param diskBytes bytes of the files in the job's working folder
 * @param processes how many processes the job has
 * @param cpuSeconds CPU time the job's live processes (and the children they waited for) have used
 *     so far; the change between two samples over the time between them is the job's CPU load
 * @param readBytes storage bytes the job's live processes have read so far, -1 when unknown
 * @param writeBytes storage bytes the job's live processes have written so far, -1 when unknown
 */
public record Usage(
        long residentBytes, long diskBytes, int processes, double cpuSeconds, long readBytes, long writeBytes) {

    /** Memory, disk and process count only, for executors that measure nothing else. */
    public Usage(long residentBytes, long diskBytes, int processes) {
        this(residentBytes, diskBytes, processes, -1, -1, -1);
    }
}
