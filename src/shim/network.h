/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Brings "lo" up in a new network namespace; everything else is raindd's job. */
int loopback_up(void);
