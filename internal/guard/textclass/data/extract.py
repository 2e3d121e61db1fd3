#!/usr/bin/env python3
"""Rebuilds the public-corpus samples in this directory from mirrors of the
source repositories (see MANIFEST.md). Usage: extract.py MIRROR_ROOT

MIRROR_ROOT holds one bare clone per repository at <owner>+<name>/repo (the
commit recorded in MANIFEST.md is checked). Sampling is seeded, so the output
is reproducible. Each output line is {"t": text, "y": label[, "d": "output"]},
label one of injection, jailbreak, advice, toxicity, benign."""
import csv, gzip, io, json, random, re, subprocess, sys

ROOT = sys.argv[1]

def show(repo, path):
    return subprocess.run(["git", "-C", f"{ROOT}/{repo}/repo", "show", "HEAD:" + path],
                          check=True, capture_output=True).stdout

def clean(t):
    t = t.replace("\r", "").strip()
    return t

def write(name, rows, cap, seed=1, output=False):
    seen, out = set(), []
    for t, y in rows:
        t = clean(t)
        if len(t) < 3 or t in seen:
            continue
        seen.add(t)
        out.append((t, y))
    random.Random(seed).shuffle(out)
    out = out[:cap]
    with open(name + ".jsonl", "w") as f:
        for t, y in sorted(out):
            r = {"t": t[:4000], "y": y}
            if output:
                r["d"] = "output"
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(name, len(out))

# --- attacks: JailbreakBench artifacts (the JBC/AIM template set is left out on purpose)
JBB = "JailbreakBench+artifacts"
def jbb(method, files):
    rows, goals = [], []
    for f in files:
        d = json.loads(show(JBB, f"attack-artifacts/{method}/{f}"))
        for j in d["jailbreaks"]:
            if j.get("prompt") and j["prompt"].strip() != j["goal"].strip():
                rows.append((j["prompt"], "jailbreak"))
            goals.append((j["goal"], "benign"))
    return rows, goals
models = ["gpt-3.5-turbo-1106.json", "gpt-4-0125-preview.json", "llama-2-7b-chat-hf.json", "vicuna-13b-v1.5.json"]
pair, goals = jbb("PAIR", ["black_box/" + m for m in models])
write("jbb_pair", pair, 400)
gcg, _ = jbb("GCG", ["transfer/gpt-3.5-turbo-1106.json", "transfer/gpt-4-0125-preview.json", "white_box/llama-2-7b-chat-hf.json", "white_box/vicuna-13b-v1.5.json"])
write("jbb_gcg", gcg, 300)
dsn, _ = jbb("DSN", ["white_box/llama-2-7b-chat-hf.json", "white_box/vicuna-13b-v1.5.json"])
write("jbb_dsn", dsn, 200)
rs, _ = jbb("prompt_with_random_search", ["black_box/" + m for m in models])
write("jbb_rs", rs, 60)
# the bare behaviours: harmful requests without any attack around them are not attacks
write("jbb_goals", goals, 100)

# --- hard negatives: XSTest safe prompts
rows = [(r["prompt"], "benign") for r in csv.DictReader(io.StringIO(show("paul-rottger+exaggerated-safety", "xstest_prompts.csv").decode())) if r["label"] == "safe"]
write("xstest_safe", rows, 250)

# --- banking and assistant negatives
rows = [(r["text"], "benign") for r in csv.DictReader(io.StringIO(show("PolyAI-LDN+task-specific-datasets", "banking_data/train.csv").decode()))]
write("banking77", rows, 2500)
rows = []
for i in range(20):
    for r in json.loads(show("PolyAI-LDN+task-specific-datasets", f"nlupp/data/banking/fold{i}.json")):
        rows.append((r["text"], "benign"))
write("nlupp_banking", rows, 800)
d = json.loads(show("clinc+oos-eval", "data/data_full.json"))
rows = [(t, "benign") for k in ("train", "oos_train", "test", "oos_test") for t, _ in d[k]]
write("clinc_oos", rows, 2500)
rows = [(json.loads(l)["instruction"], "benign") for l in show("yizhongw+self-instruct", "data/seed_tasks.jsonl").decode().splitlines() if l.strip()]
rows += [(json.loads(l)["instruction"], "benign") for l in show("yizhongw+self-instruct", "human_eval/user_oriented_instructions.jsonl").decode().splitlines() if l.strip()]
write("self_instruct", rows, 500)
# long benign prompts: narratives, reviews, news and dialogues with an instruction (T0 templates)
T0 = "data/finetuning/t0_train_50k/data_per_template/"
rows = []
for f, cap in (("cosmos_qa_context_answer_to_question.jsonl", 350), ("amazon_polarity_Is_this_review.jsonl", 200),
               ("cnn_dailymail_3_0_0_tldr_summary.jsonl", 150), ("samsum_Summarize_this_dialogue_.jsonl", 200),
               ("dream_read_the_following_conversation_and_answer_the_question.jsonl", 150), ("app_reviews_convert_to_rating.jsonl", 100)):
    try:
        ls = show("yizhongw+self-instruct", T0 + f).decode().splitlines()
    except subprocess.CalledProcessError:
        print("missing", f); continue
    xs = [(json.loads(l)["prompt"].replace("\\", " "), "benign") for l in ls if l.strip()]
    random.Random(3).shuffle(xs)
    rows += xs[:cap]
write("t0_prompts", rows, 1150)
rows = [(json.loads(l)["question"], "benign") for l in show("openai+grade-school-math", "grade_school_math/data/test.jsonl").decode().splitlines() if l.strip()]
write("gsm8k", rows, 500)
# worked answers: benign model output
rows = [(json.loads(l)["answer"].split("####")[0], "benign") for l in show("openai+grade-school-math", "grade_school_math/data/test.jsonl").decode().splitlines() if l.strip()]
write("gsm8k_answers", rows, 400, output=True)

# --- FiQA questions, weakly labelled: personal "what should I do" questions are advice requests
ADV = re.compile(r"\b(should i|should we|shall i|is it (a )?(good|bad|wise|smart|worth)|worth (it|buying|investing)|"
                 r"where (should|do|can) i (put|invest|park)|would you (recommend|suggest)|do you recommend|"
                 r"what (should|would) (i|you) (do|invest|buy)|best (way|place) to invest|is .{1,40} a (good|bad) (investment|buy|stock)|"
                 r"buy or sell|sell or hold|hold or sell)\b", re.I)
rows = []
for r in csv.DictReader(io.StringIO(show("yuanbit+FinBERT-QA", "data/raw/FiQA_train_question_final.tsv").decode()), delimiter="\t"):
    q = r["question"]
    if ADV.search(q):  # the rest are unlabelled, many of them advice requests too: not used as negatives
        rows.append((q, "advice"))
write("fiqa_weak", rows, 2500)

# --- toxicity
rows = []
for r in csv.DictReader(io.StringIO(show("t-davidson+hate-speech-and-offensive-language", "data/labeled_data.csv").decode())):
    t = re.sub(r"(RT )?@\w+:?", "@user", r["tweet"]).replace("&amp;", "&")
    t = re.sub(r"https?://\S+", "", t)
    rows.append((t, "toxicity" if r["class"] in ("0", "1") else "benign"))
tox = [r for r in rows if r[1] == "toxicity"]; ben = [r for r in rows if r[1] == "benign"]
random.Random(2).shuffle(tox)
write("davidson", tox[:1200] + ben, 2400)
rows = [(r["test_case"], "toxicity" if r["label_gold"] == "hateful" else "benign")
        for r in csv.DictReader(io.StringIO(show("paul-rottger+hatecheck-data", "test_suite_cases.csv").decode()))]
write("hatecheck", rows, 3800)
votes = {}
for r in csv.DictReader(io.StringIO(show("amandacurry+convabuse", "1_full/ConvAbuseEMNLPfull.csv").decode())):
    v = votes.setdefault(r["example_no"], [r["user"], 0, 0])
    if r["is_abuse.1"] == "1": v[2] += 1
    if any(r["is_abuse." + k] == "1" for k in ("-1", "-2", "-3")): v[1] += 1
rows = []
for u, ab, ok in votes.values():
    if ab > ok: rows.append((u, "toxicity"))
    elif ok > 0 and ab == 0: rows.append((u, "benign"))
write("convabuse", rows, 2500)
rows = [(r["text"], "toxicity" if r["is_toxic"].lower().startswith("toxic") else "benign")
        for r in csv.DictReader(io.StringIO(show("surge-ai+toxicity", "toxicity_en.csv").decode()))]
write("surge_toxicity", rows, 1000)
rows = []
for l in gzip.decompress(show("openai+moderation-api-release", "data/samples-1680.jsonl.gz")).decode().splitlines():
    r = json.loads(l)
    # toxicity is harassment and hate only (H, H2, HR); sexual content, self-harm and
    # violence (S, S3, SH, V, V2) are other harms and left out of the toxicity eval.
    tox = r.get("H") == 1 or r.get("HR") == 1 or r.get("H2") == 1
    clean_ = all(r.get(k) in (0, None) for k in ("S", "H", "V", "HR", "SH", "S3", "H2", "V2"))
    if tox: rows.append((r["prompt"], "toxicity"))
    elif clean_: rows.append((r["prompt"], "benign"))
write("openai_moderation", rows, 1700)

# --- fourth pass: more real data (splits fixed before anything was scored with them; see MANIFEST.md)
def bylines(repo, path):
    return show(repo, path).decode("utf-8", "replace").splitlines()

# TOXIGEN (train): human-written demonstrations and the machine-assembled prompt lists of implicit
# hate about 13 groups beside neutral statements about the same groups
TG = "microsoft+TOXIGEN"
files = subprocess.run(["git", "-C", f"{ROOT}/{TG}/repo", "ls-tree", "-r", "--name-only", "HEAD"],
                       check=True, capture_output=True, text=True).stdout.split()
hate, neutral = [], []
for f in sorted(files):
    base = f.rsplit("/", 1)[-1]
    if not (f.startswith("demonstrations/") or f.startswith("prompts/")) or not f.endswith(".txt"):
        continue
    if not (base.startswith("hate_") or base.startswith("neutral_")):
        continue
    for l in bylines(TG, f):
        for s in l.split("\\n"):
            s = s.strip().lstrip("-").strip()
            if len(s.split()) >= 3:
                (hate if base.startswith("hate_") else neutral).append((s, "toxicity" if base.startswith("hate_") else "benign"))
random.Random(4).shuffle(hate); random.Random(5).shuffle(neutral)
write("toxigen", hate[:1500] + neutral[:1500], 3000)

# conversationai unintended-bias sentence templates (train): toxic / non-toxic sentences with identity
# terms, English and Hinglish (hi-Latn); sampled evenly across templates
CA = "conversationai+unintended-ml-bias-analysis"
def templates(path, cap, seed):
    by = {}
    for r in csv.DictReader(io.StringIO(show(CA, path).decode())):
        y = {"toxic": "toxicity", "nontoxic": "benign"}.get(r["toxicity"])
        if y:
            by.setdefault((r["template"], y), []).append((r["phrase"], y))
    rng, rows = random.Random(seed), []
    per = max(1, cap // max(1, len(by)))
    for k in sorted(by):
        xs = sorted(set(by[k])); rng.shuffle(xs)
        rows += xs[:per]
    return rows
# The identity-term templates (bias_templates_en / _hi, sampled by templates() above) were trained on
# in the fourth pass and then dropped (see MANIFEST.md): they are not written any more.

# Stormfront sentences (HELD-OUT): hate / noHate by the annotators; "relation" (hate only with the
# neighbouring sentence) and idk/skip are left out
VT = "Vicomtech+hate-speech-dataset"
rows = []
for r in csv.DictReader(io.StringIO(show(VT, "annotations_metadata.csv").decode())):
    y = {"hate": "toxicity", "noHate": "benign"}.get(r["label"])
    if y:
        rows.append((show(VT, f"all_files/{r['file_id']}.txt").decode("utf-8", "replace"), y))
tox = [r for r in rows if r[1] == "toxicity"]; ben = [r for r in rows if r[1] == "benign"]
random.Random(8).shuffle(tox); random.Random(9).shuffle(ben)
write("stormfront", tox[:600] + ben[:600], 1200)

# latent jailbreak (HELD-OUT): a harmful instruction given as the text of a translation / paraphrase
# task, i.e. an instruction inside data the model should only process -> injection
LJ = "qiuhuachuan+latent-jailbreak"
files = subprocess.run(["git", "-C", f"{ROOT}/{LJ}/repo", "ls-tree", "-r", "--name-only", "HEAD", "data/"],
                       check=True, capture_output=True, text=True).stdout.split()
rows = []
for f in sorted(files):
    if f.endswith(".json"):
        for v in json.loads(show(LJ, f)).values():
            rows += [(r["context"], "injection") for r in v]
write("latent_jailbreak", rows, 200)

# Wikipedia talk-page comments (train): the conversationai bias repo's non-fuzzed test set, a sample
# of the Wikipedia Talk Labels: Toxicity corpus (CC0) -- real people attacking or arguing with each other
rows = [(re.sub(r"\s+", " ", r["comment"]).strip(), "toxicity" if r["toxic"] == "True" else "benign")
        for r in csv.DictReader(io.StringIO(show(CA, "archive/unintended_ml_bias/eval_datasets/toxicity_nonfuzzed_testset.csv").decode()))]
write("wiki_toxicity", rows, 1500)
