package dev.portcullis.limit.budget;

import dev.portcullis.limit.config.Algorithm;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The calendar period (day or month, in a time zone) that contains an instant. The label goes into the
 * counter key, so a new period starts a new counter at zero; {@code end} is when the counter resets.
 * Days are calendar days: 23 or 25 hours long across a daylight-saving change.
 */
public record CalendarPeriod(String label, Instant start, Instant end) {

    /** The period of {@code algorithm} (DAILY or MONTHLY) containing {@code now} in {@code zone}. */
    public static CalendarPeriod of(Algorithm algorithm, Instant now, ZoneId zone) {
        LocalDate day = now.atZone(zone).toLocalDate();
        return switch (algorithm) {
            case DAILY -> {
                ZonedDateTime start = day.atStartOfDay(zone);
                yield new CalendarPeriod("d" + day, start.toInstant(), day.plusDays(1).atStartOfDay(zone).toInstant());
            }
            case MONTHLY -> {
                LocalDate first = day.withDayOfMonth(1);
                yield new CalendarPeriod("m" + first.getYear() + "-" + String.format("%02d", first.getMonthValue()),
                        first.atStartOfDay(zone).toInstant(), first.plusMonths(1).atStartOfDay(zone).toInstant());
            }
            default -> throw new IllegalArgumentException(algorithm + " is not a calendar algorithm");
        };
    }
}
