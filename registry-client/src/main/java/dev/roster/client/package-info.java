/**
 * The Roster Java client: register an instance and keep it renewed, fetch and watch the instances
 * of other applications. Start at {@link dev.roster.client.RosterClient#builder()}; the user guide
 * is {@code docs/client.md}.
 */
package dev.roster.client;
