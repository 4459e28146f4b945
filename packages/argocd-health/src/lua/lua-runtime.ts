import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { LuaRuntimeError } from '../errors.js';
import { SANDBOX_PRELUDE } from './sandbox-prelude.js';
import { rewriteLuaSource } from './source-rewriter.js';
import { LUA_WORKER_SOURCE } from './worker-source.js';

/** Limits of one Lua runtime. Every field has a default matching Argo CD where Argo CD has one. */
export interface LuaRuntimeOptions {
  /** Wall-clock budget of one evaluation, enforced inside Lua by an instruction-count hook. Default 1,000 (Argo CD). */
  budgetMs?: number;
  /** Extra time after the budget before the worker thread is terminated (runaway built-ins). Default 250. */
  hardStopGraceMs?: number;
  /**
   * Lua heap a single evaluation may add (live objects and garbage not yet collected), enforced by the Lua state's
   * allocator on every allocation, in coroutines too. Default 64 MiB.
   */
  maxHeapBytes?: number;
  /** WebAssembly memory size after which the worker is replaced (memory never shrinks). Default 256 MiB. */
  maxWasmMemoryBytes?: number;
  /** V8 heap cap of the worker thread. Default 64 MiB. */
  maxWorkerHeapMb?: number;
  /** How long to wait for a (re)started worker to load the VM. Default 30,000. */
  startupTimeoutMs?: number;
  /** Distinct scripts kept compiled; past this the cache is dropped and the worker replaced. Default 1,024 (Argo CD). */
  maxCachedScripts?: number;
}

/** What one evaluation produced. `empty`: the script returned nil or an empty table. @internal */
export type LuaEvaluation =
  | { kind: 'ok'; status: string; message: string }
  | { kind: 'empty' }
  | { kind: 'error'; message: string };

interface WorkerResponse {
  kind: string;
  status?: string;
  message?: string;
  recycle?: boolean;
  wasmMemoryBytes?: number;
}

interface WorkerHandle {
  worker: Worker;
  port: MessagePort;
  flags: Int32Array;
  knownScripts: Set<number>;
  ready: boolean;
  /** Why the thread stopped, when it did (an uncaught error or an exit before answering). */
  stopReason: string | undefined;
}

const DEFAULTS = {
  budgetMs: 1000,
  hardStopGraceMs: 250,
  maxHeapBytes: 64 * 1024 * 1024,
  maxWasmMemoryBytes: 256 * 1024 * 1024,
  maxWorkerHeapMb: 64,
  startupTimeoutMs: 30_000,
  maxCachedScripts: 1024,
} as const;

function resolveWasmoon(): string {
  return createRequire(import.meta.url).resolve('wasmoon');
}

/**
 * One long-lived worker thread running wasmoon (Lua 5.4) with the gopher-lua compatibility prelude. Calls are
 * synchronous: the caller blocks on `Atomics.wait` for the answer, so the common path costs one message round
 * trip. When an evaluation overruns its budget plus the grace period (a catastrophic `string.find` pattern never
 * reaches the instruction hook), the worker is terminated and a fresh one is started in the background.
 * @internal
 */
export class LuaRuntime {
  readonly #options: Required<LuaRuntimeOptions>;
  readonly #wasmoonPath: string;
  readonly #scriptIds = new Map<string, number>();
  readonly #rewritten = new Map<number, string>();
  #handle: WorkerHandle | undefined;
  #closed = false;
  #workersStarted = 0;
  #nextScriptId = 1;
  #lastWasmMemoryBytes = 0;

  private constructor(options: LuaRuntimeOptions) {
    this.#options = { ...DEFAULTS, ...definedOnly(options) };
    this.#wasmoonPath = resolveWasmoon();
  }

  /**
   * Starts the worker and waits until the VM is loaded.
   * @throws {LuaRuntimeError} when the worker cannot load wasmoon.
   */
  static async create(options: LuaRuntimeOptions = {}): Promise<LuaRuntime> {
    const runtime = new LuaRuntime(options);
    const handle = runtime.#spawn();
    // An unref'd worker and Atomics.waitAsync alone would let the event loop exit while the VM loads.
    handle.worker.ref();
    try {
      await runtime.#waitReadyAsync(handle);
    } finally {
      handle.worker.unref();
    }
    return runtime;
  }

  /** How many worker threads this runtime has started (1 + one per hard stop or recycle). */
  get workersStarted(): number {
    return this.#workersStarted;
  }

  /** Size of the worker's WebAssembly memory after the last evaluation (it never shrinks, so this is its peak). */
  get lastWasmMemoryBytes(): number {
    return this.#lastWasmMemoryBytes;
  }

  /**
   * Evaluates a script against an object rendered by `toLuaChunk`. Mode `health` (default) reads the result as a
   * health status; mode `json` returns the script's last value as JSON text in `status` (resource actions), with
   * `paramsChunk` (a `toLuaChunk` table) as the `actionParams` global.
   * @throws {LuaRuntimeError} after `close()` or when a replacement worker cannot start.
   */
  evaluate(
    script: string,
    objChunk: string,
    useOpenLibs: boolean,
    mode: 'health' | 'json' = 'health',
    paramsChunk?: string,
  ): LuaEvaluation {
    if (this.#closed) throw new LuaRuntimeError('The Lua runtime is closed; create a new health assessor.');
    let id = this.#scriptIds.get(script);
    if (id === undefined) {
      if (this.#scriptIds.size >= this.#options.maxCachedScripts) this.#forgetScripts();
      id = this.#nextScriptId++;
      this.#scriptIds.set(script, id);
    }
    const handle = this.#handle ?? this.#spawn();
    if (!handle.ready) this.#waitReadySync(handle);
    const firstUse = !handle.knownScripts.has(id);
    const request = {
      id,
      source: firstUse ? this.#rewrite(id, script) : undefined,
      useOpenLibs,
      objSource: objChunk,
      budgetMs: this.#options.budgetMs,
      heapBytes: this.#options.maxHeapBytes,
      mode,
      paramsSource: paramsChunk,
    };
    Atomics.store(handle.flags, 0, 0);
    handle.port.postMessage(request);
    const waited = Atomics.wait(handle.flags, 0, 0, this.#options.budgetMs + this.#options.hardStopGraceMs);
    const received = receiveMessageOnPort(handle.port) as { message: WorkerResponse } | undefined;
    if (waited === 'timed-out' && received === undefined) {
      this.#replace(handle);
      return {
        kind: 'error',
        message: '<string>: context deadline exceeded (evaluation stopped by the hard limit)',
      };
    }
    if (received === undefined) {
      this.#replace(handle);
      return { kind: 'error', message: 'the Lua worker stopped without answering' };
    }
    const response = received.message;
    this.#lastWasmMemoryBytes = response.wasmMemoryBytes ?? 0;
    // After an error on first use a syntax error (not cached by the worker) cannot be told from a runtime error
    // (cached), so the source goes along again next time; a worker that already has the script ignores it.
    if (response.kind !== 'error' || !firstUse) handle.knownScripts.add(id);
    if (response.recycle === true) this.#replace(handle);
    if (response.kind === 'ok')
      return { kind: 'ok', status: response.status ?? '', message: response.message ?? '' };
    if (response.kind === 'empty') return { kind: 'empty' };
    // util/lua/lua.go incorrectReturnType: an action or discovery script must return a table.
    if (response.kind === 'type')
      return {
        kind: 'error',
        message: `expect table output from Lua script, not ${response.status ?? 'nil'}`,
      };
    if (response.kind === 'missing') {
      handle.knownScripts.delete(id);
      return this.evaluate(script, objChunk, useOpenLibs, mode, paramsChunk);
    }
    return { kind: 'error', message: response.message ?? 'unknown Lua error' };
  }

  /** Terminates the worker. Further `evaluate` calls throw. */
  async close(): Promise<void> {
    this.#closed = true;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) {
      handle.port.close();
      await handle.worker.terminate();
    }
  }

  #rewrite(id: number, script: string): string {
    let rewritten = this.#rewritten.get(id);
    if (rewritten === undefined) {
      rewritten = rewriteLuaSource(script);
      this.#rewritten.set(id, rewritten);
    }
    return rewritten;
  }

  /**
   * Bounds the compiled-script cache (Argo CD keeps 1,024 compiled scripts): past the limit, every script is
   * forgotten and the worker, whose cache cannot shrink otherwise, is replaced.
   */
  #forgetScripts(): void {
    this.#scriptIds.clear();
    this.#rewritten.clear();
    if (this.#handle !== undefined) this.#replace(this.#handle);
  }

  #spawn(): WorkerHandle {
    const signal = new SharedArrayBuffer(8);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(LUA_WORKER_SOURCE, {
      eval: true,
      workerData: {
        port: port2,
        signal,
        wasmoonPath: this.#wasmoonPath,
        prelude: SANDBOX_PRELUDE,
        maxWasmMemoryBytes: this.#options.maxWasmMemoryBytes,
      },
      transferList: [port2],
      resourceLimits: {
        maxOldGenerationSizeMb: this.#options.maxWorkerHeapMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.floor(this.#options.maxWorkerHeapMb / 4)),
      },
    });
    worker.unref();
    port1.unref();
    const handle: WorkerHandle = {
      worker,
      port: port1,
      flags: new Int32Array(signal),
      knownScripts: new Set(),
      ready: false,
      stopReason: undefined,
    };
    // Errors surface through the protocol; keep an unexpected exit from crashing the host process.
    worker.on('error', (error: Error) => {
      handle.stopReason ??= error.message;
    });
    worker.on('exit', (code: number) => {
      handle.stopReason ??= `the worker thread exited with code ${code}`;
    });
    this.#handle = handle;
    this.#workersStarted += 1;
    return handle;
  }

  #replace(handle: WorkerHandle): void {
    handle.port.close();
    void handle.worker.terminate();
    if (this.#handle === handle) this.#handle = undefined;
    if (!this.#closed) this.#spawn();
  }

  #checkReadyState(handle: WorkerHandle): boolean {
    const state = Atomics.load(handle.flags, 1);
    if (state === 1) {
      handle.ready = true;
      return true;
    }
    if (state === 2) {
      const received = receiveMessageOnPort(handle.port) as { message: WorkerResponse } | undefined;
      this.#replaceAfterFailure(handle);
      throw new LuaRuntimeError(
        `The Lua worker could not load wasmoon: ${received?.message.message ?? 'unknown error'}`,
      );
    }
    return false;
  }

  #replaceAfterFailure(handle: WorkerHandle): void {
    handle.port.close();
    void handle.worker.terminate();
    if (this.#handle === handle) this.#handle = undefined;
  }

  #waitReadySync(handle: WorkerHandle): void {
    Atomics.wait(handle.flags, 1, 0, this.#options.startupTimeoutMs);
    if (!this.#checkReadyState(handle)) {
      this.#replaceAfterFailure(handle);
      throw new LuaRuntimeError(`The Lua worker did not start within ${this.#options.startupTimeoutMs} ms.`, {
        retryable: true,
      });
    }
  }

  async #waitReadyAsync(handle: WorkerHandle): Promise<void> {
    // Atomics.waitAsync is ES2024 (Node 16+), typed here because the project targets the ES2023 library.
    const waitAsync = (Atomics as unknown as { waitAsync: AtomicsWaitAsync }).waitAsync;
    const result = waitAsync(handle.flags, 1, 0, this.#options.startupTimeoutMs);
    if (result.async) {
      // A worker that dies while loading never sets the flag: stop waiting when it exits.
      const exited = new Promise<void>((resolve) => handle.worker.once('exit', () => resolve()));
      await Promise.race([result.value, exited]);
    }
    if (!this.#checkReadyState(handle)) {
      if (handle.stopReason !== undefined) {
        this.#replaceAfterFailure(handle);
        throw new LuaRuntimeError(`The Lua worker stopped while loading wasmoon: ${handle.stopReason}`);
      }
      this.#replaceAfterFailure(handle);
      throw new LuaRuntimeError(`The Lua worker did not start within ${this.#options.startupTimeoutMs} ms.`, {
        retryable: true,
      });
    }
  }
}

type AtomicsWaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}
