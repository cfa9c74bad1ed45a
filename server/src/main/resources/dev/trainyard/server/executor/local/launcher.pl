# Trainyard's job launcher for the local executor; written by the server, do not edit.
#
# One resident process forks a wrapper for each job, so a job start costs forks of this small
# process and one exec (bash running the job's command) instead of a chain of execs. perl-base is
# part of every Debian and Ubuntu system; where perl is missing the server uses its shell wrapper.
#
# Server -> launcher, one line each:   L <TAB> job folder <TAB> uid or "-"
# Launcher -> server:                  S <TAB> job folder <TAB> wrapper pid     (started)
#                                      F <TAB> job folder <TAB> message         (could not fork)
#                                      E <TAB> wrapper pid                      (wrapper ended)
#
# Each wrapper does what the shell wrapper does: it starts a new session, runs setup.sh then run.sh
# with bash as the job's user id, kills whatever that user id left running, and records how the job
# ended in exit_status. Wrappers outlive the launcher and the server: when the server goes away
# (end of input), the launcher stops taking work and waits for its wrappers before it exits.
use strict;
use warnings;
use POSIX qw(setsid setuid setgid WNOHANG _exit SIGCHLD SIG_BLOCK SIG_UNBLOCK);

$SIG{PIPE} = 'IGNORE';
$SIG{INT} = 'IGNORE';
$| = 1;

my $chld = POSIX::SigSet->new(SIGCHLD);
$SIG{CHLD} = \&reap;

while (defined(my $line = <STDIN>)) {
    chomp $line;
    my ($command, $dir, $uid) = split /\t/, $line;
    next unless defined $command && $command eq 'L' && defined $dir && defined $uid;
    # The start line goes out before the end line of the same wrapper.
    POSIX::sigprocmask(SIG_BLOCK, $chld);
    my $pid = fork();
    if (!defined $pid) {
        print "F\t$dir\tfork failed: $!\n";
    } elsif ($pid == 0) {
        wrapper($dir, $uid eq '-' ? undef : $uid);
    } else {
        print "S\t$dir\t$pid\n";
    }
    POSIX::sigprocmask(SIG_UNBLOCK, $chld);
}
# The server is gone: let the wrappers finish, so each records its job's status.
$SIG{CHLD} = 'DEFAULT';
1 while waitpid(-1, 0) > 0;
exit 0;

sub reap {
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        print "E\t$pid\n";
    }
}

sub wrapper {
    my ($dir, $uid) = @_;
    $SIG{CHLD} = 'DEFAULT';
    $SIG{PIPE} = 'DEFAULT';
    # Handled, not ignored: the job's processes get the default action back, and the wrapper stays
    # to record how they ended.
    $SIG{$_} = sub { } for qw(TERM INT HUP);
    POSIX::sigprocmask(SIG_UNBLOCK, $chld);
    setsid();
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>>', "$dir/stdout.log");
    open(STDERR, '>>', "$dir/stderr.log");
    my $start = (split ' ', (split /\) /, slurp("/proc/$$/stat"), 2)[1])[19];
    spew("$dir/wrapper.pid", "$$ " . (defined $uid ? $uid : '-') . " $start\n");
    my %environment = map { split /=/, $_, 2 } grep { length } split /\0/, slurp("$dir/environment");
    unlink "$dir/environment";
    chdir "$dir/work" or record($dir, $uid, 'setup', 126);
    if (-s "$dir/setup.sh") {
        my $code = phase($dir, $uid, 'setup.sh', \%environment);
        record($dir, $uid, 'setup', $code) if $code != 0;
    }
    record($dir, $uid, 'run', phase($dir, $uid, 'run.sh', \%environment));
}

# Runs one script as the job's user; its exit code, or 128 + the signal that ended it.
sub phase {
    my ($dir, $uid, $script, $environment) = @_;
    my $pid = fork();
    return 126 unless defined $pid;
    if ($pid == 0) {
        become($uid);
        $SIG{$_} = 'DEFAULT' for qw(TERM INT HUP);
        # A stop asked before this phase had a process to signal: signal() writes the request
        # before it kills the job's user id, so either the kill or this check sees it.
        if (-e "$dir/stop_requested") {
            my $code = slurp("$dir/stop_requested");
            _exit($code =~ /^(\d+)/ ? $1 : 137);
        }
        %ENV = %$environment;
        { no warnings 'exec'; exec { '/bin/bash' } 'bash', "$dir/$script"; }
        _exit(127);
    }
    while (1) {
        my $ended = waitpid($pid, 0);
        return $? & 127 ? 128 + ($? & 127) : $? >> 8 if $ended == $pid;
        return 126 if $ended < 0 && !$!{EINTR};
    }
}

sub record {
    my ($dir, $uid, $phase, $code) = @_;
    if (defined $uid) {
        # Whatever the job left running dies with it: every process of its user id.
        my $pid = fork();
        if (defined $pid && $pid == 0) {
            become($uid);
            kill 'KILL', -1;
            _exit(0);
        }
        waitpid($pid, 0) if defined $pid;
    }
    spew("$dir/exit_status", "$phase $code\n");
    _exit($code > 255 ? 255 : $code);
}

sub become {
    my ($uid) = @_;
    return unless defined $uid;
    $) = "$uid $uid";
    setgid($uid) or _exit(126);
    setuid($uid) or _exit(126);
    _exit(126) if $< != $uid || $> != $uid;
}

sub slurp {
    my ($file) = @_;
    open(my $in, '<', $file) or return '';
    local $/;
    my $text = <$in>;
    close $in;
    return defined $text ? $text : '';
}

sub spew {
    my ($file, $text) = @_;
    open(my $out, '>', $file) or return;
    syswrite $out, $text;
    close $out;
}
