package dev.trainyard.server.executor;

/** A job could not be started; the message says why, for the job's failure reason. */
public final class ExecutorException extends Exception {
    public ExecutorException(String message, Throwable cause) {
        super(message, cause);
    }
}
