/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE  64
/* 64 lowercase hex digits plus NUL. */
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

/* Streaming SHA-256 (FIPS 180-4): init, update any number of times, final once. */
typedef struct Sha256Context {
        uint32_t state[8];
        uint64_t length; /* bytes hashed so far */
        uint8_t buffer[SHA256_BLOCK_SIZE];
        size_t buffer_len;
} Sha256Context;

void sha256_init(Sha256Context *c);
void sha256_update(Sha256Context *c, const void *data, size_t size);
void sha256_final(Sha256Context *c, uint8_t ret[SHA256_DIGEST_SIZE]);

void sha256_digest_to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char ret[SHA256_HEX_SIZE]);
/* Finishes c and writes the digest as hex. */
void sha256_final_hex(Sha256Context *c, char ret[SHA256_HEX_SIZE]);
/* One-shot: the hex digest of a buffer. */
void sha256_hex(const void *data, size_t size, char ret[SHA256_HEX_SIZE]);
