/**
 * The Roster Java client: register an instance, keep it renewed, fetch and watch others.
 *
 * <p>Built in issue 5; until then this module holds no API.
 */
package dev.roster.client;
