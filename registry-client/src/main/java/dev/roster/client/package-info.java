/**
 * The Roster Java client: register an instance and keep it renewed, fetch and watch the instances
 * of other applications. Start at {@link RosterClient#newBuilder()}; the user guide is {@code
 * docs/client.md}.
 */
package dev.roster.client;
