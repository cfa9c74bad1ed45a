package dev.trainyard.server.dataset;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Datasets and the jobs that read them. */
@RegisterConstructorMapper(DatasetStore.DatasetRow.class)
public interface DatasetStore {
    /** A dataset version as stored; {@code columns} is a JSON array. */
    record DatasetRow(
            String id,
            String organizationId,
            String projectId,
            String name,
            int version,
            long sizeBytes,
            String sha256,
            String format,
            String columns,
            Long rowCount,
            String createdBy,
            Instant createdAt) {}

    @SqlUpdate("INSERT INTO datasets (id, organization_id, project_id, name, version, size_bytes, sha256, format, "
            + "columns, row_count, created_by, created_at) VALUES (:id, :organizationId, :projectId, :name, :version, "
            + ":sizeBytes, :sha256, :format, :columns, :rowCount, :createdBy, :createdAt)")
    void insert(@BindMethods DatasetRow row);

    @SqlQuery("SELECT * FROM datasets WHERE id = :id")
    Optional<DatasetRow> findById(String id);

    @SqlQuery("SELECT COALESCE(MAX(version), 0) FROM datasets WHERE project_id = :projectId AND name = :name")
    int latestVersion(String projectId, String name);

    @SqlQuery(
            "SELECT * FROM datasets WHERE project_id = :projectId ORDER BY name, version DESC LIMIT :take OFFSET :skip")
    List<DatasetRow> list(String projectId, int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM datasets WHERE project_id = :projectId")
    long count(String projectId);

    @SqlUpdate("DELETE FROM datasets WHERE id = :id")
    int delete(String id);

    @SqlQuery("SELECT COUNT(*) FROM datasets WHERE sha256 = :sha256")
    long countWithContent(String sha256);

    @SqlQuery("SELECT COUNT(*) FROM job_datasets d JOIN jobs j ON j.id = d.job_id WHERE d.dataset_id = :datasetId "
            + "AND j.state NOT IN ('COMPLETED', 'FAILED', 'STOPPED', 'EXPIRED', 'LOST')")
    long unfinishedJobsUsing(String datasetId);

    @SqlBatch("INSERT INTO job_datasets (job_id, dataset_id) VALUES (:jobId, :datasetId)")
    void useInJob(String jobId, List<String> datasetId);

    @SqlQuery("SELECT s.* FROM datasets s JOIN job_datasets d ON d.dataset_id = s.id WHERE d.job_id = :jobId "
            + "ORDER BY s.name, s.version")
    List<DatasetRow> usedBy(String jobId);
}
