"""`python -m ddim_gmm bench soak`: a long queue of prompts through a real ComfyUI server (needs COMFYUI_PATH).

Starts ComfyUI's own main.py on 127.0.0.1 (CPU) with this pack cloned into custom_nodes/ under an odd folder name
and a random-weight SD1.5 checkpoint (bench/host/random_checkpoint.py) as its only model, then over HTTP:

1. warm-up: one 64 px text-to-image prompt for every sampler name of ours in KSampler's dropdown and for every preset
   of the SamplerDDIMGMM node (through SamplerCustom), each with its own seed;
2. the queue: --prompts prompts cycling through the same names and presets, all queued at once; in the middle of it,
   prompts with bad values (eta 2, n_components 0, an unknown preset, an unknown sampler name, n_components larger
   than the latent), which must be refused with a message naming the input while the queue keeps running;
3. the first warm-up prompt again, whose image must have the same bytes as at the start;
4. an /interrupt in the middle of a long run, then a prompt that must succeed.

It reports prompts finished, failures (must be 0), the server's resident memory (VmRSS, read with the server idle)
after the warm-up and at the end, execution times, and what each bad value and the interrupt gave. Results:
soak.json and soak.md in --out, which is never overwritten unless --overwrite is given.
"""

import json
import os
import statistics
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

from ...cli import number, refuse_overwrite
from .server import ComfyServer, combo_choices
from .random_checkpoint import write_checkpoint

REPO_ROOT = Path(__file__).resolve().parents[2]
PACK_FOLDER = "DDIM-GMM soak.v1 (clone)"  # a dot and spaces: the pack must not depend on its folder name
CHECKPOINT = "random_sd15.safetensors"
PROMPT_TEXT = "a lighthouse on a cliff at dusk"
OUR_PREFIX = "ddim_gmm"
PROMPT_TIMEOUT = 600
RESULT_FILES = ["soak.json", "soak.md"]


def add_arguments(parser):
    parser.add_argument("--out", default="out/bench_soak", help="folder for soak.json and soak.md")
    parser.add_argument("--overwrite", action="store_true", help="replace result files already in --out")
    parser.add_argument("--prompts", type=number(int, 1), default=200,
                        help="prompts in the queue (after the warm-up, besides the bad-value and interrupt checks)")
    parser.add_argument("--steps", type=number(int, 1, 1000), default=4, help="sampling steps per prompt")
    parser.add_argument("--threads", type=number(int, 1), default=1, help="the server's torch CPU threads")
    parser.add_argument("--comfyui", default=os.environ.get("COMFYUI_PATH"),
                        help="the ComfyUI checkout whose main.py is run (default: $COMFYUI_PATH)")
    parser.add_argument("--workdir", default=None,
                        help="ComfyUI's base directory (models, custom_nodes, output, server.log); default: a "
                             "fresh temporary folder, removed unless the soak fails")


def text_to_image(seed, steps, sampler_name=None, node=None):
    """An API-format prompt: checkpoint -> 64 px latent -> KSampler with `sampler_name`, or SamplerCustom with our
    SamplerDDIMGMM node whose widgets are `node` -> VAE decode -> SaveImage (node "9")."""
    prompt = {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": CHECKPOINT}},
        "2": {"class_type": "CLIPTextEncode", "inputs": {"clip": ["1", 1], "text": PROMPT_TEXT}},
        "3": {"class_type": "CLIPTextEncode", "inputs": {"clip": ["1", 1], "text": ""}},
        "4": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["5", 0], "vae": ["1", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "soak"}},
    }
    if node is None:
        prompt["5"] = {"class_type": "KSampler", "inputs": {
            "model": ["1", 0], "seed": seed, "steps": steps, "cfg": 5.0, "sampler_name": sampler_name,
            "scheduler": "normal", "positive": ["2", 0], "negative": ["3", 0], "latent_image": ["4", 0],
            "denoise": 1.0}}
    else:
        prompt["6"] = {"class_type": "SamplerDDIMGMM", "inputs": dict(node)}
        prompt["7"] = {"class_type": "BasicScheduler", "inputs": {"model": ["1", 0], "scheduler": "normal",
                                                                   "steps": steps, "denoise": 1.0}}
        prompt["5"] = {"class_type": "SamplerCustom", "inputs": {
            "model": ["1", 0], "add_noise": True, "noise_seed": seed, "cfg": 5.0, "positive": ["2", 0],
            "negative": ["3", 0], "sampler": ["6", 0], "sigmas": ["7", 0], "latent_image": ["4", 0]}}
    return prompt


def sampler_kinds(object_info):
    """Every sampler name of ours in KSampler's dropdown, every preset of the node, and the node's default widgets."""
    names = [n for n in combo_choices(object_info["KSampler"]["input"]["required"]["sampler_name"])
             if n.startswith(OUR_PREFIX)]
    required = object_info["SamplerDDIMGMM"]["input"]["required"]
    defaults = {name: spec[1]["default"] for name, spec in required.items()}
    presets = combo_choices(required["preset"])
    kinds = [dict(sampler_name=name) for name in names]
    # eta 0.5: the covariance modes and the noise-matched schedule only act when the step has noise
    kinds += [dict(node=dict(defaults, preset=preset, eta=0.5)) for preset in presets]
    return kinds, names, presets, defaults


def label(kind):
    return kind.get("sampler_name") or f"node {kind['node']['preset']}"


class Queue:
    """Prompts posted to the server and their outcomes (from /history)."""

    def __init__(self, server):
        self.server, self.client_id = server, uuid.uuid4().hex

    def post(self, prompt):
        """(HTTP status, reply): 200 with a prompt_id if queued, 400 with node_errors if refused."""
        return self.server.post("/prompt", {"prompt": prompt, "client_id": self.client_id})

    def queue(self, prompt):
        status, reply = self.post(prompt)
        if status != 200 or reply.get("node_errors"):
            raise RuntimeError(f"the server refused a valid prompt ({status}): {json.dumps(reply)[:2000]}")
        return reply["prompt_id"]

    def wait(self, prompt_id, timeout=PROMPT_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            status, history = self.server.get(f"/history/{prompt_id}")
            entry = history.get(prompt_id) if status == 200 and history else None
            if entry and entry.get("status", {}).get("completed") is not None and \
                    entry["status"].get("status_str") in ("success", "error"):
                return entry
            if self.server.process.poll() is not None:
                raise RuntimeError(f"ComfyUI exited while prompt {prompt_id} ran:\n{self.server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"prompt {prompt_id} did not finish within {timeout} s")
            time.sleep(0.05)

    def image_bytes(self, entry, node_id="9"):
        image = entry["outputs"][node_id]["images"][0]
        query = urllib.parse.urlencode({k: image[k] for k in ("filename", "subfolder", "type")})
        status, body = self.server.request(f"/view?{query}", raw=True)
        if status != 200:
            raise RuntimeError(f"/view answered {status} for {image}")
        return body

    def running(self):
        _, queue = self.server.get("/queue")
        return [item[1] for item in queue["queue_running"]]


def messages(entry, kind):
    return [data for name, data in entry["status"]["messages"] if name == kind]


def execution_seconds(entry):
    start = messages(entry, "execution_start")
    end = messages(entry, "execution_success") or messages(entry, "execution_error")
    return (end[0]["timestamp"] - start[0]["timestamp"]) / 1000 if start and end else None


def idle_rss(server, queue, settle=0.5):
    """VmRSS once the queue is empty and the server has settled."""
    while queue.running():
        time.sleep(0.1)
    time.sleep(settle)
    return server.rss_bytes()


def bad_value_prompts(kinds, defaults, steps, n_dims):
    """(what, prompt, the input its refusal must name)."""
    vub = dict(defaults, preset="ORTHO-VUB*", eta=0.5)
    return [
        ("eta 2", text_to_image(7, steps, node=dict(vub, eta=2.0)), "eta"),
        ("n_components 0", text_to_image(7, steps, node=dict(vub, n_components=0)), "n_components"),
        ("unknown preset", text_to_image(7, steps, node=dict(vub, preset="ORTHO-SVD")), "preset"),
        ("unknown sampler name", text_to_image(7, steps, sampler_name=f"{OUR_PREFIX}_svd"), "sampler_name"),
        (f"n_components {n_dims + 44} > latent elements {n_dims}",
         text_to_image(7, steps, node=dict(vub, n_components=n_dims + 44)), "n_components"),
    ]


def check_bad_value(queue, what, prompt, name):
    """Posts a bad prompt; returns how it was refused: at validation (HTTP 400, node_errors) or when run (the
    node's error in /history). Either way the message must name the input."""
    status, reply = queue.post(prompt)
    if status != 200 or reply.get("node_errors"):
        text = json.dumps(reply.get("node_errors") or reply)
        return dict(value=what, refused="at validation (HTTP 400)", names_input=name in text,
                    message=first_error_line(reply))
    entry = queue.wait(reply["prompt_id"])
    errors = messages(entry, "execution_error")
    text = errors[0]["exception_message"] if errors else ""
    return dict(value=what, refused="when run" if entry["status"]["status_str"] == "error" else "NOT REFUSED",
                names_input=name in text, message=text.strip().splitlines()[0] if text else "")


def first_error_line(reply):
    for node in (reply.get("node_errors") or {}).values():
        for error in node.get("errors", []):
            return f"{error.get('message', '')}: {error.get('details', '')}"
    return json.dumps(reply.get("error", reply))[:300]


def interrupt_check(queue, steps):
    """Interrupts a long run while it samples; then a normal prompt must succeed."""
    long_id = queue.queue(text_to_image(4242, 1000, sampler_name=OUR_PREFIX))
    deadline = time.monotonic() + PROMPT_TIMEOUT
    while long_id not in queue.running():
        if time.monotonic() > deadline:
            raise RuntimeError("the long prompt never started")
        time.sleep(0.05)
    time.sleep(0.5)  # inside the sampling loop by now (the checkpoint and the text encodings are cached)
    queue.server.post("/interrupt", {"prompt_id": long_id})
    interrupted = queue.wait(long_id)
    after = queue.wait(queue.queue(text_to_image(4243, steps, sampler_name=OUR_PREFIX)))
    return dict(interrupted=bool(messages(interrupted, "execution_interrupted")),
                interrupted_status=interrupted["status"]["status_str"],
                seconds_to_stop=execution_seconds_any(interrupted),
                next_prompt=after["status"]["status_str"])


def execution_seconds_any(entry):
    start = messages(entry, "execution_start")
    end = messages(entry, "execution_interrupted") or messages(entry, "execution_success")
    return (end[0]["timestamp"] - start[0]["timestamp"]) / 1000 if start and end else None


def run_soak(comfyui_path, base, n_prompts=200, steps=4, threads=1, progress=print):
    """The soak (module docstring) with ComfyUI's base directory `base`; returns its figures as a dict."""
    base = Path(base).absolute()
    (base / "custom_nodes").mkdir(parents=True, exist_ok=True)
    pack = base / "custom_nodes" / PACK_FOLDER
    if not pack.exists():
        os.symlink(REPO_ROOT, pack, target_is_directory=True)
    checkpoint = base / "models" / "checkpoints" / CHECKPOINT
    if not checkpoint.exists():
        write_checkpoint(checkpoint, seed=0, comfyui_path=comfyui_path)
    started = time.monotonic()
    server = ComfyServer(comfyui_path, base, frontend="empty", threads=threads)
    try:
        object_info = server.object_info
        startup = time.monotonic() - started
        log = server.log_path.read_text(errors="replace")
        ours = [line for line in log.splitlines() if f"custom_nodes/{PACK_FOLDER}" in line]
        if not ours or "IMPORT FAILED" in ours[-1]:
            raise RuntimeError(f"ComfyUI did not import the pack from custom_nodes/{PACK_FOLDER}:\n{server.log_tail()}")
        kinds, names, presets, defaults = sampler_kinds(object_info)
        queue = Queue(server)
        progress(f"server up in {startup:.1f} s; {len(names)} dropdown names, {len(presets)} node presets")

        # 1. warm-up: every name and preset once
        warm = [(kind, text_to_image(1000 + i, steps, **kind)) for i, kind in enumerate(kinds)]
        warm_entries = [queue.wait(queue.queue(prompt)) for _, prompt in warm]
        first_image = queue.image_bytes(warm_entries[0]) if warm_entries[0]["status"]["status_str"] == "success" \
            else None
        rss_warm = idle_rss(server, queue)
        progress(f"warm-up done: {len(warm)} prompts, RSS {rss_warm / 2**20:.1f} MiB")

        # 2. the queue, all posted at once, the bad values in its middle
        kinds_cycle = [kinds[i % len(kinds)] for i in range(n_prompts)]
        ids, bad = [], []
        queue_start = time.monotonic()
        for i, kind in enumerate(kinds_cycle):
            ids.append((kind, queue.queue(text_to_image(2000 + i, steps, **kind))))
            if i == n_prompts // 2:
                bad = [check_bad_value(queue, *b) for b in bad_value_prompts(kinds, defaults, steps, 4 * 8 * 8)]
        entries = []
        for n, (kind, prompt_id) in enumerate(ids, 1):
            entries.append((kind, queue.wait(prompt_id)))
            if n % 25 == 0:
                progress(f"{n}/{len(ids)} prompts done")
        queue_seconds = time.monotonic() - queue_start
        rss_end = idle_rss(server, queue)

        # 3. the first prompt again: same seed, same bytes
        again = queue.wait(queue.queue(warm[0][1]))
        cached = {node for m in messages(again, "execution_cached") for node in m["nodes"]}
        same_bytes = first_image is not None and again["status"]["status_str"] == "success" and \
            "5" not in cached and queue.image_bytes(again) == first_image

        # 4. interrupt a long run, then one more prompt
        interrupt = interrupt_check(queue, steps)
        alive = server.process.poll() is None
    except Exception:
        progress(f"server log: {server.log_path}")
        raise
    finally:
        server.close()

    all_entries = [(k, e) for (k, _), e in zip(warm, warm_entries)] + entries
    failures = [dict(sampler=label(k), error=(messages(e, "execution_error") or [{}])[0].get("exception_message", ""))
                for k, e in all_entries if e["status"]["status_str"] != "success"]
    times = [t for _, e in entries if (t := execution_seconds(e)) is not None]
    return dict(
        comfyui=str(comfyui_path), pack_folder=PACK_FOLDER, steps=steps, server_threads=threads,
        dropdown_names=names, node_presets=presets,
        startup_seconds=round(startup, 1),
        warmup_prompts=len(warm), queued_prompts=len(ids),
        prompts_finished=sum(e["status"]["status_str"] == "success" for _, e in all_entries),
        failures=len(failures), failure_details=failures[:10],
        rss_after_warmup_mib=round(rss_warm / 2**20, 1), rss_end_mib=round(rss_end / 2**20, 1),
        rss_growth_mib=round((rss_end - rss_warm) / 2**20, 1),
        queue_seconds=round(queue_seconds, 1),
        seconds_per_prompt_median=round(statistics.median(times), 3) if times else None,
        seconds_per_prompt_max=round(max(times), 3) if times else None,
        same_image_bytes_at_start_and_end=same_bytes,
        interrupt=interrupt, bad_values=bad, server_alive_at_end=alive,
    )


def write_markdown(path, r):
    lines = [
        f"Soak: {r['warmup_prompts']} warm-up + {r['queued_prompts']} queued prompts (64 px, {r['steps']} steps, "
        f"random-weight SD1.5, ComfyUI main.py on CPU, {r['server_threads']} thread(s)); every dropdown name "
        f"({', '.join(r['dropdown_names'])}) and node preset ({', '.join(r['node_presets'])}).",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| prompts finished | {r['prompts_finished']} of {r['warmup_prompts'] + r['queued_prompts']} |",
        f"| failures | {r['failures']} |",
        f"| server RSS after warm-up / at the end | {r['rss_after_warmup_mib']} / {r['rss_end_mib']} MiB "
        f"({r['rss_growth_mib']:+} MiB) |",
        f"| seconds per prompt, median / max | {r['seconds_per_prompt_median']} / {r['seconds_per_prompt_max']} |",
        f"| whole queue | {r['queue_seconds']} s |",
        f"| first prompt again: same image bytes | {'yes' if r['same_image_bytes_at_start_and_end'] else 'NO'} |",
        f"| /interrupt mid-run | {'stopped' if r['interrupt']['interrupted'] else 'NOT STOPPED'} after "
        f"{r['interrupt']['seconds_to_stop']} s; next prompt: {r['interrupt']['next_prompt']} |",
        f"| server alive at the end | {'yes' if r['server_alive_at_end'] else 'NO'} |",
        "",
        "| bad value | refused | message names the input | message |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {b['value']} | {b['refused']} | {'yes' if b['names_input'] else 'NO'} | "
              f"{b['message'].replace('|', '/')[:160]} |" for b in r["bad_values"]]
    Path(path).write_text("\n".join(lines) + "\n")


def run(args):
    if not args.comfyui:
        raise ValueError("--comfyui (or the COMFYUI_PATH environment variable) must name a ComfyUI checkout")
    if not (Path(args.comfyui) / "main.py").is_file():
        raise ValueError(f"--comfyui must be a ComfyUI checkout with main.py, got {args.comfyui}")
    out = Path(args.out)
    refuse_overwrite(out, RESULT_FILES, args.overwrite)
    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="ddim_gmm_soak_"))
    result = run_soak(args.comfyui, base, args.prompts, args.steps, args.threads,
                      progress=lambda text: print(text, flush=True))
    out.mkdir(parents=True, exist_ok=True)
    (out / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    write_markdown(out / "soak.md", result)
    print((out / "soak.md").read_text())
    if not args.workdir and result["failures"] == 0:
        import shutil
        shutil.rmtree(base, ignore_errors=True)
    return result
