package dev.portcullis.limit.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.limit.config.Algorithm;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class MemoryUsageLedgerTest extends UsageLedgerContract {
    private final MemoryUsageLedger ledger = new MemoryUsageLedger(1000, 1000);

    @Override
    protected UsageLedger ledger() {
        return ledger;
    }

    @Test
    void calendarDaysFollowDaylightSavingChanges() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        CalendarPeriod day = CalendarPeriod.of(Algorithm.DAILY, Instant.parse("2031-03-30T12:00:00Z"), berlin);
        assertThat(java.time.Duration.between(day.start(), day.end())).hasHours(23);
        CalendarPeriod month = CalendarPeriod.of(Algorithm.MONTHLY, Instant.parse("2031-02-28T23:30:00Z"), berlin);
        assertThat(month.label()).isEqualTo("m2031-03");
    }
}
