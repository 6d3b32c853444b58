/*
 * Fuzz target for audit checkpoints as they come back from the integrator's
 * keeping (pcrm_audit_verify_checkpoint()'s text): the parser runs without a
 * store.  A refused text fails with PCRM_EINVAL (or PCRM_ENOMEM) and a
 * message naming its line; an accepted one has chains in strictly ascending
 * order with names of 1..63 visible bytes, seqs >= 0 and 64-hex hashes, a
 * signed part that is a prefix ending in a newline, and writing it back in
 * the documented format parses to the same checkpoint.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz_audit_checkpoint.c:%d: invariant failed: %s\n", line, what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcrm__audit_checkpoint cp;
	unsigned char sig[PCRM__AUDIT_SIGNATURE_LEN];
	size_t signed_len = 0;
	int rc = pcrm__audit_checkpoint_parse((const char *)data, size, &cp, &signed_len, sig);

	if (rc != PCRM_OK) {
		require(rc == PCRM_EINVAL || rc == PCRM_ENOMEM);
		require(rc == PCRM_ENOMEM || strncmp(pcrm_error_last(), "checkpoint: line ", 17) == 0);
		require(cp.heads == NULL && cp.n == 0);
		return 0;
	}
	require(signed_len > 0 && signed_len < size && data[signed_len - 1] == '\n');
	require(cp.at >= 0);
	{
		size_t cap = 256 + cp.n * 160, n;
		char *out = malloc(cap);
		require(out != NULL);
		n = (size_t)snprintf(out, cap, "powercrm-audit-checkpoint-v1\nat %" PRId64 "\n", cp.at);
		for (size_t i = 0; i < cp.n; i++) {
			const struct pcrm__audit_signed_head *h = &cp.heads[i];
			size_t len = strlen(h->chain);
			require(len >= 1 && len < PCRM__AUDIT_CHAIN_MAX);
			require(strspn(h->hash, "0123456789abcdef") == PCRM_SHA256_HEX_LEN);
			require(h->seq >= 0);
			if (i > 0)
				require(strcmp(cp.heads[i - 1].chain, h->chain) < 0);
			n += (size_t)snprintf(out + n, cap - n, "chain %s %" PRId64 " %s\n", h->chain,
			                      h->seq, h->hash);
		}
		/* written back and parsed again: the same checkpoint (seqs may lose leading zeros) */
		{
			struct pcrm__audit_checkpoint again;
			size_t again_len = 0;
			n += (size_t)snprintf(out + n, cap - n, "signature %s\n", "");
			require(n < cap);
			memset(out + n - 1, 'a', 2 * PCRM__AUDIT_SIGNATURE_LEN);
			n += 2 * PCRM__AUDIT_SIGNATURE_LEN - 1;
			out[n++] = '\n';
			require(pcrm__audit_checkpoint_parse(out, n, &again, &again_len, sig) == PCRM_OK);
			require(again.n == cp.n && again.at == cp.at);
			for (size_t i = 0; i < cp.n; i++)
				require(strcmp(again.heads[i].chain, cp.heads[i].chain) == 0 &&
				        again.heads[i].seq == cp.heads[i].seq &&
				        strcmp(again.heads[i].hash, cp.heads[i].hash) == 0);
			free(again.heads);
		}
		free(out);
	}
	free(cp.heads);
	return 0;
}
