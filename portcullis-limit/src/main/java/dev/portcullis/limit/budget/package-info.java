/**
 * Daily and monthly token and spend budgets that reset at calendar boundaries in a tenant's time zone. Counting runs
 * through the limit store (the period is part of the key); {@link dev.portcullis.limit.budget.UsageLedger} keeps the
 * totals per key, principal and tenant that survive it (in memory, SQLite or PostgreSQL, see {@link
 * dev.portcullis.limit.budget.UsageLedgers}) and that budget counters start from when the store lacks them.
 */
package dev.portcullis.limit.budget;
