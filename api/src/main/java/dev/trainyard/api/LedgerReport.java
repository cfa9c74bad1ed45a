package dev.trainyard.api;

import java.math.BigDecimal;
import java.util.List;

/** The ledger check: every account's balance recomputed from its transactions. */
public record LedgerReport(boolean consistent, int accounts, List<Difference> differences) {

    /** An account whose balance is not the sum of its transactions. */
    public record Difference(String organization, BigDecimal balance, BigDecimal sumOfTransactions) {}
}
