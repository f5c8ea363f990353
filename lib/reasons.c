/*
 * reasons.c - what each reason code of reasons.h means and what to do next.
 *
 * The words follow docs/rules.md and the products' own articles: a .gov
 * domain is imported by the product's import manager, a protected domain by
 * its support, seats come from the account manager.  The report (load/) shows
 * them beside the code wherever the code appears.
 */
#include "reasons.h"

#include <string.h>

const struct reason_info reason_table[] = {
	{REASON_NAME_MATCH,
	 "the product organization and the IT Glue organization have the same name (exactly, "
	 "or once case, punctuation and legal suffixes are set aside), and nothing else does, "
	 "so they were linked",
	 "nothing to do; if the pair is wrong, link the right one by hand in links.csv "
	 "(source manual), which wins over an automatic link"},
	{REASON_FILTERED_OUT,
	 "the IT Glue organization (or contact) is outside the sync settings now: its "
	 "organization type or status (or contact type) is not selected, or the contact moved "
	 "to another organization, so its link was removed; the product record stays",
	 "nothing to do if it should go; to keep it, add its type or status to "
	 "sync.organization_types, sync.organization_statuses (or sync.contacts.contact_types) "
	 "in the pipeline and run again"},
	{REASON_ITGLUE_DELETED,
	 "IT Glue confirms the organization (or contact) was deleted, so its link was removed; "
	 "the product organization (or user) stays, and the products show None in its IT Glue "
	 "column",
	 "nothing to do if it was meant; if it was deleted by mistake, restore it in IT Glue "
	 "and the next run links it again by name; delete the product record by hand when it "
	 "is no longer needed"},
	{REASON_SUPERSEDED_BY_MANUAL,
	 "a manual link in links.csv names the same organization, and a manual link wins over "
	 "an automatic or imported one, so the other link was removed",
	 "nothing to do; if the manual row is wrong, correct or remove it in links.csv"},
	{REASON_AMBIGUOUS_NAME,
	 "more than one organization on the other side has the same name, so none was linked "
	 "or imported",
	 "link the right pair by hand in links.csv (source manual), or give the organizations "
	 "distinct names in IT Glue"},
	{REASON_NOT_IN_SCOPE,
	 "import.select names this IT Glue organization, but its type or status is outside "
	 "the sync settings, so it was not imported",
	 "add its type or status to the sync settings, or take it out of import.select"},
	{REASON_DISCONNECT,
	 "the integration was disconnected on purpose (--disconnect), which removes every link "
	 "and keeps every product organization",
	 "to resume the integration: pipelines/run PIPELINE --connect"},
	{REASON_NO_EMAIL,
	 "the IT Glue contact has no email address, and a BullPhish ID user needs one",
	 "add an email address to the contact in IT Glue; the next run imports it"},
	{REASON_INVALID_EMAIL,
	 "none of the IT Glue contact's email addresses is valid",
	 "correct the contact's email address in IT Glue; the next run imports it"},
	{REASON_DUPLICATE_EMAIL,
	 "another contact of the same organization (the one with the lower id) already has "
	 "this email address, and it keeps it",
	 "give each contact its own email address in IT Glue, or leave it as it is"},
	{REASON_LICENSE_LIMIT,
	 "not enough licenses were left: the module was left off the imported organization "
	 "(BullPhish ID seats), or the domain was left unimported (Dark Web ID domains)",
	 "raise licenses in the pipeline once the subscription has them (your account manager "
	 "upgrades it), or free some; the next run uses them"},
	{REASON_GOV_DOMAIN,
	 "a .gov or .mil domain: Dark Web ID does not import it through the integration, for "
	 "licensing reasons",
	 "ask your import manager at the product to import it"},
	{REASON_PROTECTED_DOMAIN,
	 "a sensitive or protected domain (it is on the pipeline's domains.protected list), "
	 "so it was not imported",
	 "if it must be monitored, contact the product's support (support@idagent.com); "
	 "otherwise nothing to do"},
	{REASON_INVALID_DOMAIN,
	 "the IT Glue domain is not a valid domain name (a URL, a path, an address, a single "
	 "label, spaces or underscores)",
	 "correct the domain in IT Glue; the next run imports it"},
	{REASON_UNCONFIRMED_DELETION,
	 "the linked IT Glue organization is missing from the snapshot, but IT Glue did not "
	 "confirm that it was deleted, so the link is kept and nothing of it changes",
	 "look the organization up in IT Glue: if it was deleted the next run that confirms "
	 "it removes the link; if the API key cannot see it, fix the key's access"},
	{REASON_SELECT_NOT_FOUND,
	 "an import.select entry names no IT Glue organization",
	 "correct the entry in import.select (the candidates are organizations with a "
	 "similar name), or remove it"},
	{REASON_ITGLUE_RENAMED,
	 "IT Glue renamed the organization, and the linked product organization takes the "
	 "IT Glue name",
	 "nothing to do; if the new name is wrong, correct it in IT Glue"},
	{REASON_IMPORT_SELECTED,
	 "import.select chose this IT Glue organization and it was linked to nothing, so it "
	 "was created in the product with a link of source import",
	 "nothing to do; check its employee count and industry (import.defaults and "
	 "import.overrides)"},
	{REASON_NEW_CONTACT,
	 "an IT Glue contact of a linked organization that matches no user, so it was added "
	 "as a user, in the group named after its contact type",
	 "nothing to do; upload the group's file of upload/ to the real product"},
	{REASON_EMAIL_MATCH,
	 "an existing user with the contact's email address, so the user was linked to the "
	 "IT Glue contact",
	 "nothing to do"},
	{REASON_CONTACT_CHANGED,
	 "the contact's name, email address or contact type changed in IT Glue, so the user "
	 "takes the new values",
	 "nothing to do; upload the group's file of upload/ to the real product"},
	{REASON_DOMAIN_IMPORTED,
	 "a valid domain of a linked IT Glue organization with a license free, so it was "
	 "imported",
	 "nothing to do"},
	{REASON_INTEGRATION_CONNECTED,
	 "the integration is connected again: the first applied run, or the first since it "
	 "was disconnected",
	 "nothing to do"},
	{REASON_NOT_SELECTED,
	 "in the sync settings, linked to nothing, under no review and not selected for "
	 "import: it can still be imported",
	 "to import it, add it to import.select; to link it to an existing product "
	 "organization, add a manual row to links.csv"},
};

const size_t reason_table_len = sizeof reason_table / sizeof reason_table[0];

const struct reason_info *reason_lookup(const char *code)
{
	for (size_t i = 0; code && i < reason_table_len; i++)
		if (strcmp(reason_table[i].code, code) == 0)
			return &reason_table[i];
	return NULL;
}

const char *reason_meaning(const char *code)
{
	const struct reason_info *r = reason_lookup(code);

	return r ? r->meaning : "a code this version does not know";
}

const char *reason_next_step(const char *code)
{
	const struct reason_info *r = reason_lookup(code);

	return r ? r->next_step : "see the plan line in plan.ndjson";
}
