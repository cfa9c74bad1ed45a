package dev.trainyard.server.job;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for jobs. State changes compare the expected state, so a stale writer changes nothing. */
@RegisterConstructorMapper(JobRow.class)
@RegisterConstructorMapper(JobStore.TransitionRow.class)
public interface JobStore {
    String SELECT = "SELECT j.*, u.username AS owner_username, u.email AS owner_email "
            + "FROM jobs j JOIN users u ON u.id = j.owner_id ";
    String VISIBLE = "j.organization_id IN (SELECT organization_id FROM memberships WHERE user_id = :userId) "
            + "AND (CAST(:organizationId AS TEXT) IS NULL OR j.organization_id = :organizationId) "
            + "AND (CAST(:projectId AS TEXT) IS NULL OR j.project_id = :projectId) "
            + "AND (CAST(:state AS TEXT) IS NULL OR j.state = :state) "
            + "AND (CAST(:tag AS TEXT) IS NULL OR j.id IN (SELECT job_id FROM job_tags WHERE tag = :tag)) ";

    /** One recorded state change. */
    record TransitionRow(String jobId, String fromState, String toState, String reason, Instant at) {}

    @SqlUpdate("INSERT INTO jobs (id, organization_id, project_id, owner_id, name, description, state, reason, "
            + "pending_reason, priority, gpu_type, gpus, cpu_cores, memory_mb, hdd_size_mb, image, setup_command, "
            + "run_command, env_vars, tags, expires, expires_after_ms, idempotency_key, request_hash, created_at, "
            + "cost_per_hour, max_cost, held) "
            + "VALUES (:id, :organizationId, :projectId, :ownerId, :name, :description, :state, :reason, "
            + ":pendingReason, :priority, :gpuType, :gpus, :cpuCores, :memoryMb, :hddSizeMb, :image, :setupCommand, "
            + ":runCommand, :envVars, :tags, :expires, :expiresAfterMs, :idempotencyKey, :requestHash, :createdAt, "
            + ":costPerHour, :maxCost, :held)")
    void insert(@BindMethods JobRow job);

    @SqlBatch("INSERT INTO job_tags (job_id, tag) VALUES (:jobId, :tag)")
    void insertTags(String jobId, List<String> tag);

    @SqlQuery(SELECT + "WHERE j.id = :id")
    Optional<JobRow> findById(String id);

    @SqlQuery(SELECT + "WHERE j.owner_id = :ownerId AND j.idempotency_key = :key")
    Optional<JobRow> findByIdempotencyKey(String ownerId, String key);

    @SqlQuery(SELECT + "WHERE " + VISIBLE + "ORDER BY j.created_at DESC, j.id DESC LIMIT :take OFFSET :skip")
    List<JobRow> listVisible(
            String userId, String organizationId, String projectId, String state, String tag, int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM jobs j WHERE " + VISIBLE)
    long countVisible(String userId, String organizationId, String projectId, String state, String tag);

    @SqlQuery(SELECT + "WHERE j.state = 'QUEUED' ORDER BY j.priority DESC, j.created_at, j.id LIMIT :limit")
    List<JobRow> queued(int limit);

    @SqlQuery(SELECT + "WHERE j.state IN (<states>) ORDER BY j.created_at, j.id")
    List<JobRow> inStates(@BindList("states") List<String> states);

    @SqlUpdate("UPDATE jobs SET state = :to, reason = :reason, pending_reason = NULL, version = version + 1 "
            + "WHERE id = :id AND state = :from")
    int changeState(String id, String from, String to, String reason);

    @SqlUpdate("UPDATE jobs SET state = 'STARTING', reason = :reason, pending_reason = NULL, executor = :executor, "
            + "node = :node, assigned_gpus = :assignedGpus, version = version + 1 WHERE id = :id AND state = 'QUEUED'")
    int markStarting(String id, String executor, String node, String assignedGpus, String reason);

    @SqlUpdate("UPDATE jobs SET state = 'RUNNING', reason = :reason, handle = :handle, started_at = :startedAt, "
            + "expires_at = :expiresAt, version = version + 1 WHERE id = :id AND state = 'STARTING'")
    int markRunning(String id, String handle, Instant startedAt, Instant expiresAt, String reason);

    @SqlUpdate("UPDATE jobs SET state = :to, reason = :reason, exit_code = :exitCode, finished_at = :finishedAt, "
            + "version = version + 1 WHERE id = :id AND state = :from")
    int markEnded(String id, String from, String to, String reason, Integer exitCode, Instant finishedAt);

    @SqlUpdate("UPDATE jobs SET pending_reason = :pendingReason WHERE id = :id AND state = 'QUEUED'")
    int setPendingReason(String id, String pendingReason);

    @SqlUpdate("INSERT INTO job_transitions (id, job_id, from_state, to_state, reason, at) "
            + "VALUES (:id, :jobId, :fromState, :toState, :reason, :at)")
    void insertTransition(String id, String jobId, String fromState, String toState, String reason, Instant at);

    @SqlQuery("SELECT job_id, from_state, to_state, reason, at FROM job_transitions WHERE job_id = :jobId "
            + "ORDER BY at, id")
    List<TransitionRow> transitions(String jobId);

    /** Records a bill: compare-and-set on what was billed before, so no period is billed twice. */
    @SqlUpdate("UPDATE jobs SET billed = :billed, billed_until = :until WHERE id = :id AND billed = :before "
            + "AND billing_settled = 0")
    int markBilled(String id, long before, long billed, java.time.Instant until);

    @SqlUpdate("UPDATE jobs SET billing_settled = 1, held = 0 WHERE id = :id AND billing_settled = 0")
    int markSettled(String id);

    @SqlQuery(SELECT + "WHERE j.billing_settled = 0 AND j.state IN (<states>) ORDER BY j.created_at, j.id")
    List<JobRow> unsettledIn(@BindList("states") List<String> states);
}
