package dev.trainyard.server.job;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Files jobs uploaded. */
@RegisterConstructorMapper(ArtifactStore.ArtifactRow.class)
public interface ArtifactStore {
    record ArtifactRow(String jobId, String name, long sizeBytes, String sha256, Instant createdAt) {}

    @SqlUpdate("INSERT INTO job_artifacts (job_id, name, size_bytes, sha256, created_at) "
            + "VALUES (:jobId, :name, :sizeBytes, :sha256, :createdAt)")
    void insert(String jobId, String name, long sizeBytes, String sha256, Instant createdAt);

    @SqlQuery("SELECT * FROM job_artifacts WHERE job_id = :jobId ORDER BY name")
    List<ArtifactRow> list(String jobId);

    @SqlQuery("SELECT * FROM job_artifacts WHERE job_id = :jobId AND name = :name")
    Optional<ArtifactRow> find(String jobId, String name);
}
