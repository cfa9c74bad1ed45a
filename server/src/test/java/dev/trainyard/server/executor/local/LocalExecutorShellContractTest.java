package dev.trainyard.server.executor.local;

/**
 * The isolated executor contract with each job started through its own shell wrapper, as on hosts
 * without perl.
 */
final class LocalExecutorShellContractTest extends LocalExecutorContractTest {
    @Override
    LocalExecutor.Launcher launcher() {
        return LocalExecutor.Launcher.SHELL;
    }
}
