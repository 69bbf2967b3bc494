/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* D-Bus error names raindd replies with; the CLI maps them to messages and exit statuses.
 * Invalid arguments use org.freedesktop.DBus.Error.InvalidArgs, refusals by polkit
 * org.freedesktop.DBus.Error.AccessDenied or .InteractiveAuthorizationRequired. */
#define BUS_ERROR_NO_SUCH_CONTAINER "org.raind.raind1.Error.NoSuchContainer"
#define BUS_ERROR_NO_SUCH_IMAGE     "org.raind.raind1.Error.NoSuchImage"
#define BUS_ERROR_AMBIGUOUS_ID      "org.raind.raind1.Error.AmbiguousId"
#define BUS_ERROR_NAME_IN_USE       "org.raind.raind1.Error.NameInUse"
#define BUS_ERROR_NOT_RUNNING       "org.raind.raind1.Error.NotRunning"
#define BUS_ERROR_CONTAINER_RUNNING "org.raind.raind1.Error.ContainerRunning"
#define BUS_ERROR_IMAGE_IN_USE      "org.raind.raind1.Error.ImageInUse"
#define BUS_ERROR_IMAGE_JOB_FAILED  "org.raind.raind1.Error.ImageJobFailed" /* import, load, save */
/* The container's command could not be executed: not found (exit 127), not executable (126). */
#define BUS_ERROR_EXEC_NOT_FOUND  "org.raind.raind1.Error.ExecNotFound"
#define BUS_ERROR_EXEC_PERMISSION "org.raind.raind1.Error.ExecPermission"
/* Anything else that stopped a container from starting (exit 125). */
#define BUS_ERROR_START_FAILED "org.raind.raind1.Error.StartFailed"
