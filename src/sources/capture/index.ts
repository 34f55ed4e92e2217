/** Live capture through dumpcap or tcpdump run as a child process: see {@link LiveCapture}. */
export { LiveCapture, LIVE_CAPTURE_DEFAULTS, safeName } from './live-capture.js';
export type { CaptureStats, LiveCaptureEvent, LiveCaptureOptions, LiveCaptureResult, StopReason } from './live-capture.js';
export { CAPTURE_TOOL_PACKAGES, captureCommand, findCaptureTool, listInterfacesCommand, whichExecutable } from './capture-tool.js';
export type { CaptureCommand, CaptureTool, CaptureToolName, CaptureToolOptions } from './capture-tool.js';
export { listCaptureInterfaces, parseDumpcapInterfaces, parseTcpdumpInterfaces } from './list-interfaces.js';
export type { CaptureInterfaceInfo } from './list-interfaces.js';
export { emptyCounters, parseToolOutput, ToolOutputParser, totalDrops } from './tool-output-parser.js';
export type { ToolCounters, ToolOutputEvent } from './tool-output-parser.js';
export { toolFailureError } from './tool-failure.js';
export type { ToolFailure } from './tool-failure.js';
export { SegmentTracker } from './segment-tracker.js';
