package dev.trainyard.server.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Models, their versions, and which jobs work on them. */
@RegisterConstructorMapper(ModelStore.ModelRow.class)
@RegisterConstructorMapper(ModelStore.VersionRow.class)
@RegisterConstructorMapper(ModelStore.ExportRow.class)
public interface ModelStore {
    record ModelRow(
            String id,
            String organizationId,
            String projectId,
            String name,
            String task,
            String kind,
            String datasetId,
            String targetColumn,
            String featureColumns,
            String algorithm,
            String hyperparameters,
            String commands,
            String createdBy,
            Instant createdAt) {
        boolean custom() {
            return "custom".equals(kind);
        }
    }

    record VersionRow(
            String id,
            String modelId,
            int version,
            String jobId,
            String sha256,
            long sizeBytes,
            String metrics,
            String testResults,
            Instant createdAt) {}

    record ExportRow(
            String id,
            String modelId,
            int version,
            String name,
            String format,
            String jobId,
            String sha256,
            long sizeBytes,
            Instant createdAt) {}

    @SqlUpdate("INSERT INTO models (id, organization_id, project_id, name, task, kind, dataset_id, target_column, "
            + "feature_columns, algorithm, hyperparameters, commands, created_by, created_at) VALUES (:id, "
            + ":organizationId, :projectId, :name, :task, :kind, :datasetId, :targetColumn, :featureColumns, :algorithm, "
            + ":hyperparameters, :commands, :createdBy, :createdAt)")
    void insert(@BindMethods ModelRow row);

    @SqlQuery("SELECT * FROM models WHERE id = :id")
    Optional<ModelRow> findById(String id);

    @SqlQuery(
            "SELECT * FROM models WHERE project_id = :projectId ORDER BY created_at DESC, id LIMIT :take OFFSET :skip")
    List<ModelRow> list(String projectId, int skip, int take);

    @SqlQuery("SELECT COUNT(*) FROM models WHERE project_id = :projectId")
    long count(String projectId);

    @SqlUpdate("DELETE FROM models WHERE id = :id")
    int delete(String id);

    @SqlQuery("SELECT * FROM model_versions WHERE model_id = :modelId ORDER BY version DESC")
    List<VersionRow> versions(String modelId);

    @SqlQuery("SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE model_id = :modelId")
    int latestVersion(String modelId);

    @SqlUpdate("INSERT INTO model_versions (id, model_id, version, job_id, sha256, size_bytes, metrics, test_results, "
            + "created_at) VALUES (:id, :modelId, :version, :jobId, :sha256, :sizeBytes, :metrics, :testResults, "
            + ":createdAt)")
    void insertVersion(@BindMethods VersionRow row);

    @SqlQuery("SELECT * FROM model_versions WHERE model_id = :modelId AND version = :version")
    Optional<VersionRow> version(String modelId, int version);

    @SqlUpdate("UPDATE model_versions SET test_results = :results WHERE model_id = :modelId AND version = :version")
    int setTestResults(String modelId, int version, String results);

    @SqlUpdate(
            "INSERT INTO model_exports (id, model_id, version, name, format, job_id, sha256, size_bytes, created_at) "
                    + "VALUES (:id, :modelId, :version, :name, :format, :jobId, :sha256, :sizeBytes, :createdAt) "
                    + "ON CONFLICT (model_id, name) DO UPDATE SET job_id = excluded.job_id, sha256 = excluded.sha256, "
                    + "size_bytes = excluded.size_bytes, created_at = excluded.created_at")
    void upsertExport(@BindMethods ExportRow row);

    @SqlQuery("SELECT * FROM model_exports WHERE model_id = :modelId ORDER BY version DESC, name")
    List<ExportRow> exports(String modelId);

    @SqlQuery("SELECT * FROM model_exports WHERE model_id = :modelId AND name = :name")
    Optional<ExportRow> export(String modelId, String name);

    @SqlUpdate("INSERT INTO model_jobs (job_id, model_id, kind) VALUES (:jobId, :modelId, :kind)")
    void insertJob(String jobId, String modelId, String kind);

    @SqlQuery("SELECT COUNT(*) FROM model_jobs m JOIN jobs j ON j.id = m.job_id WHERE m.model_id = :modelId "
            + "AND j.state NOT IN ('COMPLETED', 'FAILED', 'STOPPED', 'EXPIRED', 'LOST')")
    long unfinishedJobs(String modelId);
}
