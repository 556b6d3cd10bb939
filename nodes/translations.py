"""The node's texts in every language the newest ComfyUI frontend offers: its title, description, every widget's
label and tooltip, and its output's name, translated from the English of nodes/sampler_node.py
(NODE_DISPLAY_NAME_MAPPINGS, SamplerDDIMGMM.DESCRIPTION, widget_input(option)'s tooltip). nodes/locales.py writes them
to locales/<lang>/nodeDefs.json (served by ComfyUI's /i18n) and into the help pages' widget tables;
tests/test_translations.py checks that every widget has its texts in every language and that no text lost a number or
a name its English has.

What stays as it is in every language: combo values (what workflows store, what the dropdowns show), the preset and
kernel names, option values in quotes, the technical names (DDIM, RFIM, GMM, CFG++, eta, s, K, node and class
names). A tooltip refers to another widget by that widget's label in the same language. Where ComfyUI's frontend
translates its own core nodes, the same words are used (GLOSSARY).
"""

import hashlib
from dataclasses import dataclass

# The languages frontend 1.58.1 ships translations of its own nodes for (src/locales/<lang>/), English aside: those of
# its Comfy.Locale setting (src/locales/localeConfig.ts) and German, bundled but not offered there yet.
LANGUAGES = ("zh", "zh-TW", "ja", "ko", "ru", "fr", "es", "de", "it", "pt-BR", "tr", "ar", "fa", "he")


def digest(english):
    """A short fingerprint of an English text, for TRANSLATED_FROM."""
    return hashlib.sha256(english.encode()).hexdigest()[:12]


# What each English text was when it was translated: digest() of the node's display name, its DESCRIPTION and each
# widget's tooltip (widget_input(option)). A text changed in English fails tests/test_translations.py until its
# translations and this digest are updated.
TRANSLATED_FROM = {
    "display_name": "91ef9ef2a54c", "description": "397f9c60f824",
    "preset": "1ee6d2d9bd14", "eta": "d88dacfa4393", "s": "1b154dc0d1c4", "n_components": "7728dbee9064",
    "offsets": "a607c33ba17c", "covariance": "48bf335805fe", "share_offsets": "dc55339d7e7b", "priors": "e199b300d8a2",
    "offset_schedule": "52877f6fbe16", "offset_variance_fraction": "41a789d87a6c", "kernel": "80b5072af838",
    "cfg_pp": "1f3dfe5af993",
}
# The same for the English help page web/docs/SamplerDDIMGMM.md, its generated widget table left out: the translated
# pages (web/docs/SamplerDDIMGMM/<lang>.md) translate this text.
HELP_PAGE_TRANSLATED_FROM = "5a7e37965fa5"


@dataclass(frozen=True)
class NodeTexts:
    """The node's texts in one language.

    display_name, description: the node's title and description. output: the name of its SAMPLER output (the
    frontend's own word for the SAMPLER type, its main.json dataTypes.SAMPLER). widgets: {widget name: (label,
    tooltip)}, every widget of nodes/options.py WIDGETS. table_header: the help page's widget table columns (widget,
    default, values, what it does); value_range: how that table writes a number range, with {low} and {high}.
    """

    display_name: str
    description: str
    output: str
    widgets: dict
    table_header: tuple
    value_range: str


TRANSLATIONS = {
    "zh": NodeTexts(
        display_name="DDIM-GMM / RFIM-GMM 采样器",
        description="DDIM-GMM / RFIM-GMM（arXiv 2311.04938）：把 DDIM 的高斯步替换为矩匹配的高斯混合。连接到自定义采样器"
                    "（SamplerCustom）或自定义采样器（高级）（SamplerCustomAdvanced）。",
        output="采样器",
        table_header=("控件", "默认", "取值", "作用"),
        value_range="{low} 到 {high}",
        widgets={
            "preset": ("预设", ("论文中的变体。RAND / ORTHO：随机或正交归一的偏移，对角协方差，每步重新抽取。ORTHO-VUB：正交归一偏移，"
                       "配合论文的方差上界。ORTHO-VUB*：同上，但整个运行只抽取一次（论文中最好的）。EXACT（本包新增）：精确的低秩"
                       "协方差。NOISE-MATCHED（本包新增）：EXACT，偏移按每一步的噪波缩放（需要 eta > 0）。CONTROL (same-variance "
                       "noise)：诊断用，不是用来出图的采样器：DDIM（流模型：Euler）加上普通高斯噪波，其方差等于 ORTHO-VUB* 的偏移"
                       "在相同 s 和 分量数 K 下所加的方差；用相同种子与混合并排运行，看混合是否不只是加了噪波。预设会固定 偏移、"
                       "协方差、共享偏移 和 偏移调度；'custom' 则取它们各自控件的值。")),
            "eta": ("eta", ("随机性，范围 [0, 1]。0：确定性的 DDIM（流模型：Euler）加上混合偏移，论文的主要设置。1：DDPM 方差，类似 "
                    "euler_ancestral（流模型：各步独立；论文对流模型保持 eta <= 0.5）。协方差 和 noise_matched 只在 eta > 0 时"
                    "起作用。")),
            "s": ("s", ("偏移尺度 s，范围 [0, 100]：每个分量的偏移离 DDIM 均值的长度（VP 单位）。论文发现 10 步时 s = 10 最好，"
                  "从 20 步起约为 1。0 关闭混合（即普通 DDIM / euler_ancestral）。偏移调度为 'noise_matched' 时不使用（并隐藏）。")),
            "n_components": ("分量数 K", ("K，混合分量的数量，1 到 4096（对 ortho 偏移或 vub 协方差，至多为 Latent 的元素个数）。"
                                       "论文使用 8（并发现 8 和 256 优于 1024）。")),
            "offsets": ("偏移", ("K 个偏移的抽取方式：'ortho' 为正交归一标架（式 10），'rand' 为长度为 s 的独立随机方向（式 9）。"
                               "仅在 预设 为 'custom' 时使用（也只在那时显示）；其他预设会固定它。")),
            "covariance": ("协方差", ("为保持矩匹配，每个分量的噪波如何收缩：'diag'（论文的对角形式）、'vub'（论文的方差上界，式 34）"
                                  "或 'exact'（本包新增：精确的低秩协方差）。仅在 eta > 0 时有作用（eta = 0 时这一步不加噪波）。"
                                  "仅在 预设 为 'custom' 时使用（也只在那时显示）；其他预设会固定它。")),
            "share_offsets": ("共享偏移", ("偏移在整个运行中只抽取一次（论文中的 '*' 变体），或每一步重新抽取。仅在 预设 为 "
                                      "'custom' 时使用（也只在那时显示）；其他预设会固定它。")),
            "priors": ("先验权重", ("分量权重：'uniform'（每个 1/K，论文的默认）或 'random'（每次运行从平坦的 Dirichlet 分布抽取"
                                 "一次，由种子决定）。")),
            "offset_schedule": ("偏移调度", ("'constant'：每一步使用相同的尺度 s（论文的做法）。'noise_matched'（本包新增）：每一步"
                                        "选取的尺度把该步噪波方差中 偏移方差比例 所指的份额转入混合的散布；严格矩匹配；在 eta = 0 处"
                                        "其偏移消失。仅在 预设 为 'custom' 时使用（也只在那时显示）；其他预设会固定它。")),
            "offset_variance_fraction": ("偏移方差比例", ("用于偏移调度 'noise_matched'：每一步噪波方差中转入混合散布的比例，范围 "
                                                   "[0, 1]（0 = 普通 DDIM）。只在该调度下显示（预设 NOISE-MATCHED，或 'custom' "
                                                   "且偏移调度为 'noise_matched'）。仅在 eta > 0 时有作用（eta = 0 时这一步不加"
                                                   "噪波）。")),
            "kernel": ("采样核", ("'auto'：对流模型（SD3、Flux，以及任何经 ModelSamplingSD3/Flux/AuraFlow 修补的模型）用 RFIM-GMM，"
                              "其他模型用 DDIM-GMM，每次运行时判断。也可以强制使用其中一个采样核。")),
            "cfg_pp": ("CFG++", ("CFG++（Chung et al. 2024）：这一步保留引导后的 x0 预测，但回到噪波的方向取自无条件（负面提示词）"
                                "预测，与 ComfyUI 的 *_cfg_pp 采样器相同；混合本身不变。CFG 要比平常小得多（在本包的测试模型上"
                                "最好：5-10 步约 0.75，20-50 步约 0.25；1 仍有引导作用）。s = 0 时即 euler_ancestral_cfg_pp。"
                                "使用 BasicGuider（无负面提示词）时，ComfyUI 会给 CFG++ 一个全零的无条件预测，和它自己的 CFG++ "
                                "采样器一样；请使用 CFGGuider。")),
        }),
    "zh-TW": NodeTexts(
        display_name="DDIM-GMM / RFIM-GMM 取樣器",
        description="DDIM-GMM / RFIM-GMM（arXiv 2311.04938）：將 DDIM 的高斯步驟換成動差匹配的高斯混合。請連接到 "
                    "SamplerCustom 或 SamplerCustomAdvanced。",
        output="取樣器",
        table_header=("元件", "預設值", "取值", "作用"),
        value_range="{low} 到 {high}",
        widgets={
            "preset": ("預設", ("論文中的變體。RAND / ORTHO：隨機或正交歸一的偏移，對角共變異數，每一步重新抽取。ORTHO-VUB：正交"
                       "歸一偏移，搭配論文的變異數上界。ORTHO-VUB*：同上，但整次執行只抽取一次（論文中最佳者）。EXACT（本套件新增）："
                       "精確的低秩共變異數。NOISE-MATCHED（本套件新增）：EXACT，偏移依每一步的雜訊縮放（需要 eta > 0）。CONTROL "
                       "(same-variance noise)：診斷用，不是用來產生影像的取樣器：DDIM（流模型：Euler）加上一般高斯雜訊，其變異數"
                       "等於 ORTHO-VUB* 的偏移在相同 s 與 分量數 K 下所增加的變異數；以相同種子與混合並排執行，看混合是否不只是"
                       "加了雜訊。預設會固定 偏移、共變異數、共用偏移 與 偏移排程；'custom' 則取用各自元件的值。")),
            "eta": ("eta", ("隨機性，範圍 [0, 1]。0：確定性的 DDIM（流模型：Euler）加上混合偏移，論文的主要設定。1：DDPM 變異數，"
                    "類似 euler_ancestral（流模型：各步驟獨立；論文對流模型維持 eta <= 0.5）。共變異數 與 noise_matched 只在 "
                    "eta > 0 時有作用。")),
            "s": ("s", ("偏移尺度 s，範圍 [0, 100]：每個分量的偏移與 DDIM 平均值的距離（VP 單位）。論文發現 10 步時 s = 10 最好，"
                  "從 20 步起約為 1。0 會關閉混合（即一般的 DDIM / euler_ancestral）。偏移排程為 'noise_matched' 時不使用"
                  "（並隱藏）。")),
            "n_components": ("分量數 K", ("K，混合分量的數量，1 到 4096（對 ortho 偏移或 vub 共變異數，至多為 Latent 的元素"
                                       "個數）。論文使用 8（並發現 8 與 256 優於 1024）。")),
            "offsets": ("偏移", ("K 個偏移的抽取方式：'ortho' 為正交歸一標架（式 10），'rand' 為長度為 s 的獨立隨機方向（式 9）。"
                               "僅在 預設 為 'custom' 時使用（也只在那時顯示）；其他預設會固定它。")),
            "covariance": ("共變異數", ("為維持動差匹配，每個分量的雜訊如何縮小：'diag'（論文的對角形式）、'vub'（論文的變異數"
                                    "上界，式 34）或 'exact'（本套件新增：精確的低秩共變異數）。僅在 eta > 0 時有作用（eta = 0 "
                                    "時此步驟不加雜訊）。僅在 預設 為 'custom' 時使用（也只在那時顯示）；其他預設會固定它。")),
            "share_offsets": ("共用偏移", ("偏移在整次執行中只抽取一次（論文中的 '*' 變體），或每一步重新抽取。僅在 預設 為 "
                                      "'custom' 時使用（也只在那時顯示）；其他預設會固定它。")),
            "priors": ("先驗權重", ("分量權重：'uniform'（每個 1/K，論文的預設）或 'random'（每次執行從平坦的 Dirichlet 分布抽取"
                                 "一次，由種子決定）。")),
            "offset_schedule": ("偏移排程", ("'constant'：每一步使用相同的尺度 s（論文的做法）。'noise_matched'（本套件新增）："
                                        "每一步選取的尺度會把該步雜訊變異數中 偏移變異數比例 所指的份額移入混合的分散；精確動差"
                                        "匹配；在 eta = 0 處其偏移消失。僅在 預設 為 'custom' 時使用（也只在那時顯示）；其他"
                                        "預設會固定它。")),
            "offset_variance_fraction": ("偏移變異數比例", ("用於偏移排程 'noise_matched'：每一步雜訊變異數中移入混合分散的"
                                                     "比例，範圍 [0, 1]（0 = 一般 DDIM）。只在該排程下顯示（預設 "
                                                     "NOISE-MATCHED，或 'custom' 且偏移排程為 'noise_matched'）。僅在 eta > 0 "
                                                     "時有作用（eta = 0 時此步驟不加雜訊）。")),
            "kernel": ("取樣核", ("'auto'：流模型（SD3、Flux，以及任何經 ModelSamplingSD3/Flux/AuraFlow 修補的模型）使用 "
                              "RFIM-GMM，其他模型使用 DDIM-GMM，每次執行時判斷。也可強制使用其中一個取樣核。")),
            "cfg_pp": ("CFG++", ("CFG++（Chung et al. 2024）：此步驟保留引導後的 x0 預測，但回到雜訊的方向取自無條件（負向提示詞）"
                                "預測，與 ComfyUI 的 *_cfg_pp 取樣器相同；混合本身不變。CFG 要比平常小得多（在本套件的測試模型"
                                "上最佳：5-10 步約 0.75，20-50 步約 0.25；1 仍有引導作用）。s = 0 時即為 "
                                "euler_ancestral_cfg_pp。使用 BasicGuider（無負向提示詞）時，ComfyUI 會給 CFG++ 全為零的無條件"
                                "預測，與它自己的 CFG++ 取樣器相同；請使用 CFGGuider。")),
        }),
    "ja": NodeTexts(
        display_name="DDIM-GMM / RFIM-GMM サンプラー",
        description="DDIM-GMM / RFIM-GMM（arXiv 2311.04938）：DDIM のガウスステップを、モーメントを一致させた混合ガウス分布に"
                    "置き換えたもの。カスタムサンプラー（SamplerCustom）またはカスタムサンプラー（高度）"
                    "（SamplerCustomAdvanced）に接続します。",
        output="サンプラー",
        table_header=("ウィジェット", "デフォルト", "値", "働き"),
        value_range="{low} ～ {high}",
        widgets={
            "preset": ("プリセット", ("論文のバリアント。RAND / ORTHO：ランダムまたは正規直交なオフセット、対角共分散、ステップごとに"
                                "新たに抽選。ORTHO-VUB：正規直交オフセットと論文の分散上界。ORTHO-VUB*：同じものを実行全体で一度"
                                "だけ抽選（論文で最良）。EXACT（本パック独自）：厳密な低ランク共分散。NOISE-MATCHED（本パック独自）："
                                "各ステップのノイズに合わせてオフセットを拡大縮小した EXACT（eta > 0 が必要）。CONTROL "
                                "(same-variance noise)：診断用で、画像生成に使うサンプラーではありません。DDIM（フロー：Euler）に、"
                                "同じ s と 成分数 K で ORTHO-VUB* のオフセットが加えるのと同じ分散の通常のガウスノイズを足したもの"
                                "です。同じシードで混合と並べて実行し、混合がノイズを足す以上のことをしているか確かめます。"
                                "プリセットは オフセット、共分散、オフセット共有、オフセットスケジュール を固定します。'custom' では"
                                "それぞれのウィジェットの値を使います。")),
            "eta": ("eta", ("確率性、範囲 [0, 1]。0：決定論的な DDIM（フロー：Euler）に混合のオフセットを加えたもの。論文の主な"
                    "設定です。1：DDPM の分散、euler_ancestral と同様（フロー：各ステップ独立。論文ではフローの eta <= 0.5）。"
                    "共分散 と noise_matched は eta > 0 のときのみ効果があります。")),
            "s": ("s", ("オフセットのスケール s、範囲 [0, 100]：各成分のオフセットの DDIM 平均からの長さ（VP 単位）。論文では "
                  "10 ステップで s = 10、20 ステップ以上で約 1 が最良でした。0 で混合は無効になります（通常の DDIM / "
                  "euler_ancestral）。オフセットスケジュールが 'noise_matched' のときは使われません（非表示）。")),
            "n_components": ("成分数 K", ("K、混合成分の数、1 から 4096（ortho オフセットまたは vub 共分散では Latent の要素数"
                                       "まで）。論文は 8 を使用（8 と 256 が 1024 より良いと報告）。")),
            "offsets": ("オフセット", ("K 個のオフセットの抽選方法：'ortho' は正規直交フレーム（式 10）、'rand' は長さ s の独立な"
                                 "ランダム方向（式 9）。プリセット が 'custom' のときのみ使用（そのときだけ表示）。それ以外の"
                                 "プリセットでは固定されます。")),
            "covariance": ("共分散", ("モーメントを一致させるために各成分のノイズをどう縮めるか：'diag'（論文の対角）、'vub'（論文の"
                                  "分散上界、式 34）、'exact'（本パック独自：厳密な低ランク共分散）。eta > 0 のときのみ効果が"
                                  "あります（eta = 0 ではステップがノイズを加えません）。プリセット が 'custom' のときのみ使用"
                                  "（そのときだけ表示）。それ以外のプリセットでは固定されます。")),
            "share_offsets": ("オフセット共有", ("オフセットを実行全体で一度だけ抽選する（論文の '*' バリアント）か、ステップごとに"
                                          "抽選し直すか。プリセット が 'custom' のときのみ使用（そのときだけ表示）。それ以外の"
                                          "プリセットでは固定されます。")),
            "priors": ("事前重み", ("成分の重み：'uniform'（各 1/K、論文のデフォルト）または 'random'（実行ごとに平坦な Dirichlet "
                                 "分布から一度抽選、シードから決定）。")),
            "offset_schedule": ("オフセットスケジュール", ("'constant'：すべてのステップで同じスケール s（論文の方式）。"
                                                  "'noise_matched'（本パック独自）：各ステップで、そのステップのノイズ分散のうち "
                                                  "オフセット分散比 の分を混合の広がりに移すスケール。モーメントは厳密に一致し、"
                                                  "eta = 0 ではオフセットは消えます。プリセット が 'custom' のときのみ使用（その"
                                                  "ときだけ表示）。それ以外のプリセットでは固定されます。")),
            "offset_variance_fraction": ("オフセット分散比", ("オフセットスケジュール 'noise_matched' 用：各ステップのノイズ分散"
                                                      "のうち混合の広がりに移す割合、範囲 [0, 1]（0 = 通常の DDIM）。この"
                                                      "スケジュールのときのみ表示（プリセット NOISE-MATCHED、または 'custom' で"
                                                      "オフセットスケジュールが 'noise_matched'）。eta > 0 のときのみ効果があります"
                                                      "（eta = 0 ではステップがノイズを加えません）。")),
            "kernel": ("カーネル", ("'auto'：フローモデル（SD3、Flux、ModelSamplingSD3/Flux/AuraFlow でパッチされた任意のモデル）"
                                "には RFIM-GMM、その他のモデルには DDIM-GMM を、実行のたびに判定して使います。どちらかのカーネルを"
                                "強制することもできます。")),
            "cfg_pp": ("CFG++", ("CFG++（Chung et al. 2024）：ステップはガイド後の x0 予測を保ちつつ、ノイズへ戻る方向を無条件"
                                "（ネガティブプロンプト）の予測から取ります。ComfyUI の *_cfg_pp サンプラーと同じで、混合は変わり"
                                "ません。CFG は通常よりずっと小さくしてください（本パックのテストモデルで最良：5-10 ステップで約 "
                                "0.75、20-50 で 0.25。1 でもガイドは効きます）。s = 0 では euler_ancestral_cfg_pp と同じです。"
                                "BasicGuider（ネガティブプロンプトなし）では、ComfyUI は自身の CFG++ サンプラーと同様に CFG++ に"
                                "ゼロの無条件予測を渡します。CFGGuider を使ってください。")),
        }),
    "ko": NodeTexts(
        display_name="DDIM-GMM / RFIM-GMM 샘플러",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM의 가우시안 스텝을 모멘트를 맞춘 가우시안 혼합으로 바꾼 "
                    "샘플러입니다. 사용자 정의 샘플러(SamplerCustom) 또는 고급 사용자 정의 샘플러(SamplerCustomAdvanced)에 "
                    "연결하세요.",
        output="샘플러",
        table_header=("위젯", "기본값", "값", "역할"),
        value_range="{low}에서 {high}",
        widgets={
            "preset": ("프리셋", ("논문의 변형. RAND / ORTHO: 무작위 또는 정규직교 오프셋, 대각 공분산, 스텝마다 새로 추출. "
                              "ORTHO-VUB: 정규직교 오프셋과 논문의 분산 상한. ORTHO-VUB*: 같은 방식이지만 실행 전체에서 한 번만 "
                              "추출(논문의 최고 결과). EXACT(이 팩 고유): 정확한 저랭크 공분산. NOISE-MATCHED(이 팩 고유): 각 "
                              "스텝의 노이즈에 맞춰 오프셋 크기를 조정한 EXACT(eta > 0 필요). CONTROL (same-variance noise): "
                              "진단용이며 실제로 쓸 샘플러가 아닙니다. DDIM(플로우: Euler)에, 같은 s와 성분 수 K에서 ORTHO-VUB*의 "
                              "오프셋이 더하는 만큼의 분산을 가진 일반 가우시안 노이즈를 더한 것입니다. 같은 시드로 혼합과 나란히 "
                              "실행해 혼합이 노이즈를 더하는 것 이상의 일을 하는지 확인하세요. 프리셋은 오프셋, 공분산, 오프셋 공유, "
                              "오프셋 스케줄을 고정하며, 'custom'은 각 위젯의 값을 사용합니다.")),
            "eta": ("eta", ("확률성, 범위 [0, 1]. 0: 결정론적 DDIM(플로우: Euler)에 혼합 오프셋을 더한 것으로, 논문의 주 설정"
                    "입니다. 1: DDPM 분산, euler_ancestral과 같음(플로우: 독립적인 스텝; 논문은 플로우에서 eta <= 0.5를 유지). "
                    "공분산과 noise_matched는 eta > 0일 때만 효과가 있습니다.")),
            "s": ("s", ("오프셋 스케일 s, 범위 [0, 100]: 각 성분의 오프셋이 DDIM 평균에서 떨어진 길이(VP 단위). 논문에서는 10 "
                  "스텝에서 s = 10, 20 스텝부터는 약 1이 가장 좋았습니다. 0이면 혼합이 꺼집니다(일반 DDIM / "
                  "euler_ancestral). 오프셋 스케줄이 'noise_matched'이면 사용되지 않으며 숨겨집니다.")),
            "n_components": ("성분 수 K", ("K, 혼합 성분의 수, 1에서 4096 (ortho 오프셋이나 vub 공분산에서는 latent의 원소 수 "
                                       "이하). 논문은 8을 사용했습니다(8과 256이 1024보다 좋았음).")),
            "offsets": ("오프셋", ("K개의 오프셋을 뽑는 방법: 'ortho'는 정규직교 프레임(식 10), 'rand'는 길이 s인 독립적인 무작위 "
                               "방향(식 9). 프리셋이 'custom'일 때만 사용되며(그때만 표시), 다른 프리셋은 이 값을 고정합니다.")),
            "covariance": ("공분산", ("모멘트를 맞추기 위해 각 성분의 노이즈를 줄이는 방법: 'diag'(논문의 대각), 'vub'(논문의 분산 "
                                  "상한, 식 34) 또는 'exact'(이 팩 고유: 정확한 저랭크 공분산). eta > 0일 때만 효과가 있습니다"
                                  "(eta = 0이면 스텝이 노이즈를 더하지 않음). 프리셋이 'custom'일 때만 사용되며(그때만 표시), "
                                  "다른 프리셋은 이 값을 고정합니다.")),
            "share_offsets": ("오프셋 공유", ("오프셋을 실행 전체에서 한 번만 뽑을지(논문의 '*' 변형), 스텝마다 새로 뽑을지. "
                                        "프리셋이 'custom'일 때만 사용되며(그때만 표시), 다른 프리셋은 이 값을 고정합니다.")),
            "priors": ("사전 가중치", ("성분 가중치: 'uniform'(각각 1/K, 논문의 기본값) 또는 'random'(실행마다 평탄한 Dirichlet "
                                  "분포에서 한 번 추출, 시드로 결정).")),
            "offset_schedule": ("오프셋 스케줄", ("'constant': 모든 스텝에서 같은 스케일 s(논문 방식). 'noise_matched'(이 팩 "
                                           "고유): 각 스텝에서 그 스텝 노이즈 분산 중 오프셋 분산 비율만큼을 혼합의 퍼짐으로 "
                                           "옮기는 스케일; 모멘트가 정확히 맞으며, eta = 0에서는 오프셋이 사라집니다. 프리셋이 "
                                           "'custom'일 때만 사용되며(그때만 표시), 다른 프리셋은 이 값을 고정합니다.")),
            "offset_variance_fraction": ("오프셋 분산 비율", ("오프셋 스케줄 'noise_matched'용: 각 스텝 노이즈 분산 중 혼합의 "
                                                      "퍼짐으로 옮기는 비율, 범위 [0, 1] (0 = 일반 DDIM). 이 스케줄에서만 "
                                                      "표시됩니다(프리셋 NOISE-MATCHED, 또는 'custom'에서 오프셋 스케줄이 "
                                                      "'noise_matched'). eta > 0일 때만 효과가 있습니다(eta = 0이면 스텝이 "
                                                      "노이즈를 더하지 않음).")),
            "kernel": ("커널", ("'auto': 플로우 모델(SD3, Flux, ModelSamplingSD3/Flux/AuraFlow로 패치된 모든 모델)에는 RFIM-GMM, "
                             "그 밖의 모델에는 DDIM-GMM을 실행할 때마다 판단해 사용합니다. 한 커널을 강제할 수도 있습니다.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): 스텝은 가이드된 x0 예측을 유지하되, 노이즈로 돌아가는 방향은 무조건"
                                "(부정 프롬프트) 예측에서 가져옵니다. ComfyUI의 *_cfg_pp 샘플러와 같으며 혼합은 그대로입니다. "
                                "CFG는 평소보다 훨씬 작게 쓰세요(이 팩의 테스트 모델에서 최적: 5-10 스텝에서 약 0.75, 20-50에서 "
                                "0.25; 1에서도 가이드됨). s = 0이면 euler_ancestral_cfg_pp와 같습니다. BasicGuider(부정 프롬프트 "
                                "없음)를 쓰면 ComfyUI는 자체 CFG++ 샘플러처럼 CFG++에 0인 무조건 예측을 넘깁니다. CFGGuider를 "
                                "사용하세요.")),
        }),
    "ru": NodeTexts(
        display_name="Сэмплер DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM, в котором гауссовский шаг заменён гауссовской смесью с "
                    "согласованными моментами. Подключите его к узлу «Пользовательский выборщик» (SamplerCustom) или "
                    "«Пользовательский сэмплер (Расширенный)» (SamplerCustomAdvanced).",
        output="СЭМПЛЕР",
        table_header=("виджет", "по умолчанию", "значения", "что делает"),
        value_range="от {low} до {high}",
        widgets={
            "preset": ("пресет", ("Вариант из статьи. RAND / ORTHO: случайные или ортонормированные смещения, диагональная "
                                 "ковариация, новые на каждом шаге. ORTHO-VUB: ортонормированные смещения с верхними границами "
                                 "дисперсии из статьи. ORTHO-VUB*: то же, но одна выборка на весь запуск (лучший в статье). EXACT "
                                 "(наш): точная ковариация низкого ранга. NOISE-MATCHED (наш): EXACT со смещениями, "
                                 "масштабированными по шуму каждого шага (нужно eta > 0). CONTROL (same-variance noise): "
                                 "диагностика, а не сэмплер для работы: DDIM (поток: Euler) плюс обычный гауссовский шум той "
                                 "дисперсии, которую добавляют смещения ORTHO-VUB* при тех же s и «число компонент K»; запустите "
                                 "его рядом со смесью с тем же сидом, чтобы увидеть, делает ли смесь что-то сверх добавления шума. "
                                 "Пресет фиксирует «смещения», «ковариация», «общие смещения» и «расписание смещений»; 'custom' "
                                 "берёт их из их виджетов.")),
            "eta": ("eta", ("Стохастичность в [0, 1]. 0: детерминированный DDIM (поток: Euler) плюс смещения смеси, основная "
                           "настройка статьи. 1: дисперсия DDPM, как у euler_ancestral (поток: независимые шаги; в статье для "
                           "потоков eta <= 0.5). «ковариация» и noise_matched влияют только при eta > 0.")),
            "s": ("s", ("Масштаб смещения s в [0, 100]: длина смещения каждой компоненты от среднего DDIM (в единицах VP). В "
                       "статье лучшим оказалось s = 10 при 10 шагах и около 1 начиная с 20 шагов. 0 выключает смесь (обычный "
                       "DDIM / euler_ancestral). Не используется (и скрыт), когда расписание смещений — 'noise_matched'.")),
            "n_components": ("число компонент K", ("K, число компонент смеси, от 1 до 4096 (не больше числа элементов латента "
                                                 "для смещений ortho или ковариации vub). В статье используется 8 (8 и 256 "
                                                 "оказались лучше, чем 1024).")),
            "offsets": ("смещения", ("Как выбираются K смещений: 'ortho' — ортонормированный репер (ур. 10), 'rand' — независимые "
                                    "случайные направления длины s (ур. 9). Используется только при пресете 'custom' (и только "
                                    "тогда показан); любой другой пресет его фиксирует.")),
            "covariance": ("ковариация", ("Как сжимается шум каждой компоненты, чтобы моменты оставались согласованными: 'diag' "
                                         "(диагональная из статьи), 'vub' (верхние границы дисперсии из статьи, ур. 34) или "
                                         "'exact' (наша: точная ковариация низкого ранга). Важно только при eta > 0 (при "
                                         "eta = 0 шаг не добавляет шума). Используется только при пресете 'custom' (и только "
                                         "тогда показан); любой другой пресет его фиксирует.")),
            "share_offsets": ("общие смещения", ("Выбирать смещения один раз на весь запуск (варианты '*' из статьи) или заново "
                                                "на каждом шаге. Используется только при пресете 'custom' (и только тогда "
                                                "показан); любой другой пресет его фиксирует.")),
            "priors": ("априорные веса", ("Веса компонент: 'uniform' (по 1/K, по умолчанию в статье) или 'random' (одна выборка "
                                         "из плоского распределения Dirichlet на запуск, по сиду).")),
            "offset_schedule": ("расписание смещений", ("'constant': один и тот же масштаб s на каждом шаге (как в статье). "
                                                       "'noise_matched' (наше): на каждом шаге масштаб, переносящий долю "
                                                       "(«доля дисперсии смещений») дисперсии шума шага в разброс смеси; моменты "
                                                       "согласованы точно; смещения исчезают там, где eta = 0. Используется "
                                                       "только при пресете 'custom' (и только тогда показан); любой другой пресет "
                                                       "его фиксирует.")),
            "offset_variance_fraction": ("доля дисперсии смещений", ("Для расписания смещений 'noise_matched': доля в [0, 1] "
                                                                    "дисперсии шума каждого шага, переносимая в разброс смеси "
                                                                    "(0 = обычный DDIM). Показывается только при этом "
                                                                    "расписании (пресет NOISE-MATCHED или 'custom' с "
                                                                    "«расписание смещений» = 'noise_matched'). Важно только при "
                                                                    "eta > 0 (при eta = 0 шаг не добавляет шума).")),
            "kernel": ("ядро", ("'auto': RFIM-GMM для потоковых моделей (SD3, Flux, всё, что пропатчено "
                               "ModelSamplingSD3/Flux/AuraFlow), DDIM-GMM для всех остальных моделей; решается при каждом "
                               "запуске. Или принудительно одно ядро.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): шаг сохраняет направляемое предсказание x0, но направление обратно "
                                "к шуму берёт из безусловного (отрицательный промпт) предсказания, как сэмплеры *_cfg_pp в "
                                "ComfyUI; смесь не меняется. Используйте CFG гораздо меньше обычного (лучше всего на тестовой "
                                "модели пакета: около 0.75 при 5-10 шагах, 0.25 при 20-50; 1 всё ещё направляет). При s = 0 "
                                "это euler_ancestral_cfg_pp. С BasicGuider (без отрицательного промпта) ComfyUI передаёт CFG++ "
                                "нулевое безусловное предсказание, как и своим сэмплерам CFG++; используйте CFGGuider.")),
        }),
    "fr": NodeTexts(
        display_name="Échantillonneur DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938) : DDIM dont l'étape gaussienne est remplacée par un mélange de "
                    "gaussiennes à moments appariés. À connecter à ÉchantillonneurPersonnalisé (SamplerCustom) ou "
                    "ÉchantillonneurPersonnaliséAvancé (SamplerCustomAdvanced).",
        output="ÉCHANTILLONNEUR",
        table_header=("widget", "défaut", "valeurs", "ce qu'il fait"),
        value_range="de {low} à {high}",
        widgets={
            "preset": ("préréglage", ("La variante de l'article. RAND / ORTHO : décalages aléatoires ou orthonormés, covariance "
                                     "diagonale, nouveaux à chaque étape. ORTHO-VUB : décalages orthonormés avec les bornes "
                                     "supérieures de variance de l'article. ORTHO-VUB* : la même, un seul tirage pour toute "
                                     "l'exécution (la meilleure de l'article). EXACT (la nôtre) : la covariance exacte de rang "
                                     "faible. NOISE-MATCHED (la nôtre) : EXACT avec des décalages mis à l'échelle du bruit de "
                                     "chaque étape (exige eta > 0). CONTROL (same-variance noise) : un diagnostic, pas un "
                                     "échantillonneur à utiliser : DDIM (flux : Euler) plus un bruit gaussien ordinaire de la "
                                     "variance qu'ajoutent les décalages de ORTHO-VUB* aux mêmes s et « nombre de composantes "
                                     "K » ; exécutez-le à côté du mélange avec la même graine pour voir si le mélange fait plus "
                                     "qu'ajouter du bruit. Un préréglage fixe « décalages », « covariance », « décalages "
                                     "partagés » et « calendrier des décalages » ; 'custom' les prend dans leurs widgets.")),
            "eta": ("eta", ("Stochasticité dans [0, 1]. 0 : DDIM déterministe (flux : Euler) plus les décalages du mélange, le "
                           "réglage principal de l'article. 1 : la variance de DDPM, comme euler_ancestral (flux : étapes "
                           "indépendantes ; l'article garde eta <= 0.5 pour les flux). « covariance » et noise_matched ne "
                           "comptent que si eta > 0.")),
            "s": ("s", ("Échelle des décalages s dans [0, 100] : la longueur du décalage de chaque composante par rapport à la "
                       "moyenne de DDIM (unités VP). L'article a trouvé s = 10 le meilleur à 10 étapes et environ 1 à partir "
                       "de 20 étapes. 0 désactive le mélange (DDIM / euler_ancestral ordinaire). Inutilisé (et masqué) quand "
                       "le calendrier des décalages est 'noise_matched'.")),
            "n_components": ("nombre de composantes K", ("K, le nombre de composantes du mélange, de 1 à 4096 (au plus le nombre "
                                                        "d'éléments du latent pour les décalages ortho ou la covariance vub). "
                                                        "L'article utilise 8 (et a trouvé 8 et 256 meilleurs que 1024).")),
            "offsets": ("décalages", ("Comment les K décalages sont tirés : 'ortho' un repère orthonormé (éq. 10), 'rand' des "
                                     "directions aléatoires indépendantes de longueur s (éq. 9). Utilisé seulement quand le "
                                     "préréglage est 'custom' (affiché seulement alors) ; tout autre préréglage le fixe.")),
            "covariance": ("covariance", ("Comment le bruit de chaque composante est réduit pour garder les moments appariés : "
                                         "'diag' (la diagonale de l'article), 'vub' (les bornes supérieures de variance de "
                                         "l'article, éq. 34) ou 'exact' (la nôtre : la covariance exacte de rang faible). Ne "
                                         "compte que si eta > 0 (avec eta = 0 l'étape n'ajoute aucun bruit). Utilisé seulement "
                                         "quand le préréglage est 'custom' (affiché seulement alors) ; tout autre préréglage le "
                                         "fixe.")),
            "share_offsets": ("décalages partagés", ("Tirer les décalages une seule fois pour toute l'exécution (les variantes "
                                                    "'*' de l'article) ou à nouveau à chaque étape. Utilisé seulement quand le "
                                                    "préréglage est 'custom' (affiché seulement alors) ; tout autre préréglage "
                                                    "le fixe.")),
            "priors": ("poids a priori", ("Poids des composantes : 'uniform' (1/K chacune, le défaut de l'article) ou 'random' "
                                         "(un tirage de Dirichlet plate par exécution, à partir de la graine).")),
            "offset_schedule": ("calendrier des décalages", ("'constant' : la même échelle s à chaque étape (l'article). "
                                                            "'noise_matched' (la nôtre) : à chaque étape, l'échelle qui fait "
                                                            "passer la part « fraction de variance des décalages » de la "
                                                            "variance du bruit de l'étape dans la dispersion du mélange ; "
                                                            "moments exactement appariés ; ses décalages s'annulent là où "
                                                            "eta = 0. Utilisé seulement quand le préréglage est 'custom' "
                                                            "(affiché seulement alors) ; tout autre préréglage le fixe.")),
            "offset_variance_fraction": ("fraction de variance des décalages", ("Pour le calendrier des décalages "
                                                                               "'noise_matched' : la fraction dans [0, 1] de la "
                                                                               "variance du bruit de chaque étape transférée "
                                                                               "dans la dispersion du mélange (0 = DDIM "
                                                                               "ordinaire). Affiché seulement pour ce calendrier "
                                                                               "(préréglage NOISE-MATCHED, ou 'custom' avec "
                                                                               "« calendrier des décalages » à 'noise_matched'). "
                                                                               "Ne compte que si eta > 0 (avec eta = 0 l'étape "
                                                                               "n'ajoute aucun bruit).")),
            "kernel": ("noyau", ("'auto' : RFIM-GMM pour les modèles de flux (SD3, Flux, tout modèle modifié par "
                                "ModelSamplingSD3/Flux/AuraFlow), DDIM-GMM pour tous les autres modèles, décidé à chaque "
                                "exécution. Ou imposer un noyau.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024) : l'étape garde la prédiction x0 guidée mais prend sa direction de "
                                "retour vers le bruit dans la prédiction non conditionnelle (prompt négatif), comme le font les "
                                "échantillonneurs *_cfg_pp de ComfyUI ; le mélange est inchangé. Utilisez un CFG bien plus petit "
                                "que d'habitude (le meilleur sur le modèle de test du pack : environ 0.75 à 5-10 étapes, 0.25 à "
                                "20-50 ; 1 guide encore). Avec s = 0 c'est euler_ancestral_cfg_pp. Avec BasicGuider (sans prompt "
                                "négatif) ComfyUI donne à CFG++ une prédiction non conditionnelle nulle, comme à ses propres "
                                "échantillonneurs CFG++ ; utilisez CFGGuider.")),
        }),
    "es": NodeTexts(
        display_name="Muestreador DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM cuyo paso gaussiano es una mezcla gaussiana con momentos "
                    "ajustados. Conéctalo a Muestreador personalizado (SamplerCustom) o Muestreador personalizado "
                    "(avanzado) (SamplerCustomAdvanced).",
        output="MUESTREADOR",
        table_header=("widget", "por defecto", "valores", "qué hace"),
        value_range="de {low} a {high}",
        widgets={
            "preset": ("preajuste", ("La variante del artículo. RAND / ORTHO: desplazamientos aleatorios u ortonormales, "
                                    "covarianza diagonal, nuevos en cada paso. ORTHO-VUB: desplazamientos ortonormales con las "
                                    "cotas superiores de varianza del artículo. ORTHO-VUB*: lo mismo, con un solo sorteo para "
                                    "toda la ejecución (la mejor del artículo). EXACT (nuestra): la covarianza exacta de rango "
                                    "bajo. NOISE-MATCHED (nuestra): EXACT con desplazamientos escalados al ruido de cada paso "
                                    "(requiere eta > 0). CONTROL (same-variance noise): un diagnóstico, no un muestreador para "
                                    "usar: DDIM (flujo: Euler) más ruido gaussiano simple con la varianza que añaden los "
                                    "desplazamientos de ORTHO-VUB* con los mismos s y «número de componentes K»; ejecútalo junto "
                                    "a la mezcla con la misma semilla para ver si la mezcla hace algo más que añadir ruido. Un "
                                    "preajuste fija «desplazamientos», «covarianza», «desplazamientos compartidos» y «programa de "
                                    "desplazamientos»; 'custom' los toma de sus widgets.")),
            "eta": ("eta", ("Estocasticidad en [0, 1]. 0: DDIM determinista (flujo: Euler) más los desplazamientos de la mezcla, "
                           "el ajuste principal del artículo. 1: la varianza de DDPM, como euler_ancestral (flujo: pasos "
                           "independientes; el artículo mantiene eta <= 0.5 en flujos). «covarianza» y noise_matched solo "
                           "importan cuando eta > 0.")),
            "s": ("s", ("Escala de desplazamiento s en [0, 100]: la longitud del desplazamiento de cada componente respecto a la "
                       "media de DDIM (unidades VP). El artículo halló que s = 10 es lo mejor a 10 pasos y alrededor de 1 desde "
                       "20 pasos. 0 desactiva la mezcla (DDIM / euler_ancestral simple). Sin uso (y oculto) cuando el programa "
                       "de desplazamientos es 'noise_matched'.")),
            "n_components": ("número de componentes K", ("K, el número de componentes de la mezcla, de 1 a 4096 (como mucho el "
                                                        "número de elementos del latente para desplazamientos ortho o covarianza "
                                                        "vub). El artículo usa 8 (y halló 8 y 256 mejores que 1024).")),
            "offsets": ("desplazamientos", ("Cómo se sortean los K desplazamientos: 'ortho' un marco ortonormal (ec. 10), 'rand' "
                                           "direcciones aleatorias independientes de longitud s (ec. 9). Solo se usa cuando el "
                                           "preajuste es 'custom' (y solo entonces se muestra); cualquier otro preajuste lo "
                                           "fija.")),
            "covariance": ("covarianza", ("Cómo se reduce el ruido de cada componente para mantener los momentos ajustados: "
                                         "'diag' (la diagonal del artículo), 'vub' (las cotas superiores de varianza del "
                                         "artículo, ec. 34) o 'exact' (nuestra: la covarianza exacta de rango bajo). Solo importa "
                                         "cuando eta > 0 (con eta = 0 el paso no añade ruido). Solo se usa cuando el preajuste "
                                         "es 'custom' (y solo entonces se muestra); cualquier otro preajuste lo fija.")),
            "share_offsets": ("desplazamientos compartidos", ("Sortear los desplazamientos una vez para toda la ejecución (las "
                                                             "variantes '*' del artículo) o de nuevo en cada paso. Solo se usa "
                                                             "cuando el preajuste es 'custom' (y solo entonces se muestra); "
                                                             "cualquier otro preajuste lo fija.")),
            "priors": ("pesos a priori", ("Pesos de los componentes: 'uniform' (1/K cada uno, el valor por defecto del "
                                         "artículo) o 'random' (un sorteo de Dirichlet plana por ejecución, a partir de la "
                                         "semilla).")),
            "offset_schedule": ("programa de desplazamientos", ("'constant': la misma escala s en cada paso (el artículo). "
                                                               "'noise_matched' (nuestro): en cada paso, la escala que traslada "
                                                               "la parte «fracción de varianza de desplazamientos» de la "
                                                               "varianza del ruido del paso a la dispersión de la mezcla; "
                                                               "momentos ajustados exactamente; sus desplazamientos se anulan "
                                                               "donde eta = 0. Solo se usa cuando el preajuste es 'custom' (y "
                                                               "solo entonces se muestra); cualquier otro preajuste lo fija.")),
            "offset_variance_fraction": ("fracción de varianza de desplazamientos", ("Para el programa de desplazamientos "
                                                                                    "'noise_matched': la fracción en [0, 1] de "
                                                                                    "la varianza del ruido de cada paso que pasa "
                                                                                    "a la dispersión de la mezcla (0 = DDIM "
                                                                                    "simple). Solo se muestra con ese programa "
                                                                                    "(preajuste NOISE-MATCHED, o 'custom' con "
                                                                                    "«programa de desplazamientos» en "
                                                                                    "'noise_matched'). Solo importa cuando "
                                                                                    "eta > 0 (con eta = 0 el paso no añade "
                                                                                    "ruido).")),
            "kernel": ("núcleo", ("'auto': RFIM-GMM para modelos de flujo (SD3, Flux, cualquier modelo parcheado por "
                                 "ModelSamplingSD3/Flux/AuraFlow), DDIM-GMM para cualquier otro modelo, decidido en cada "
                                 "ejecución. O forzar un núcleo.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): el paso conserva la predicción x0 guiada pero toma su dirección de "
                                "vuelta al ruido de la predicción incondicional (prompt negativo), como hacen los muestreadores "
                                "*_cfg_pp de ComfyUI; la mezcla no cambia. Usa un CFG mucho menor de lo habitual (lo mejor en el "
                                "modelo de prueba del paquete: alrededor de 0.75 a 5-10 pasos, 0.25 a 20-50; 1 aún guía). Con "
                                "s = 0 es euler_ancestral_cfg_pp. Con BasicGuider (sin prompt negativo) ComfyUI entrega a CFG++ "
                                "una predicción incondicional nula, como hace con sus propios muestreadores CFG++; usa "
                                "CFGGuider.")),
        }),
    "de": NodeTexts(
        display_name="Sampler DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM, dessen Gauß-Schritt durch eine momentangepasste "
                    "Gauß-Mischung ersetzt ist. Mit SamplerCustom oder SamplerCustomAdvanced verbinden.",
        output="SAMPLER",
        table_header=("Widget", "Standard", "Werte", "was es tut"),
        value_range="{low} bis {high}",
        widgets={
            "preset": ("Voreinstellung", ("Die Variante aus dem Paper. RAND / ORTHO: zufällige oder orthonormale Versätze, "
                                         "diagonale Kovarianz, in jedem Schritt neu. ORTHO-VUB: orthonormale Versätze mit den "
                                         "Varianz-Obergrenzen des Papers. ORTHO-VUB*: dasselbe, eine Ziehung für den ganzen Lauf "
                                         "(die beste im Paper). EXACT (unsere): die exakte Kovarianz niedrigen Rangs. "
                                         "NOISE-MATCHED (unsere): EXACT mit Versätzen, die auf das Rauschen jedes Schritts "
                                         "skaliert sind (braucht eta > 0). CONTROL (same-variance noise): eine Diagnose, kein "
                                         "Sampler zum Benutzen: DDIM (Flow: Euler) plus gewöhnliches Gauß-Rauschen mit der "
                                         "Varianz, die die Versätze von ORTHO-VUB* bei gleichem s und gleicher „Komponentenzahl "
                                         "K“ hinzufügen; neben der Mischung mit demselben Seed laufen lassen, um zu sehen, ob die "
                                         "Mischung mehr tut, als Rauschen hinzuzufügen. Eine Voreinstellung legt „Versätze“, "
                                         "„Kovarianz“, „Versätze teilen“ und „Versatzplan“ fest; 'custom' nimmt sie aus ihren "
                                         "Widgets.")),
            "eta": ("eta", ("Stochastizität in [0, 1]. 0: deterministisches DDIM (Flow: Euler) plus die Versätze der Mischung, "
                           "die Haupteinstellung des Papers. 1: die Varianz von DDPM, wie euler_ancestral (Flow: unabhängige "
                           "Schritte; das Paper bleibt bei Flows bei eta <= 0.5). „Kovarianz“ und noise_matched wirken nur bei "
                           "eta > 0.")),
            "s": ("s", ("Versatzskala s in [0, 100]: die Länge des Versatzes jeder Komponente vom DDIM-Mittelwert "
                       "(VP-Einheiten). Das Paper fand s = 10 am besten bei 10 Schritten und etwa 1 ab 20 Schritten. 0 "
                       "schaltet die Mischung ab (einfaches DDIM / euler_ancestral). Ungenutzt (und ausgeblendet), wenn der "
                       "Versatzplan 'noise_matched' ist.")),
            "n_components": ("Komponentenzahl K", ("K, die Anzahl der Mischungskomponenten, 1 bis 4096 (höchstens die "
                                                 "Elementzahl des Latents bei ortho-Versätzen oder vub-Kovarianz). Das Paper "
                                                 "nutzt 8 (und fand 8 und 256 besser als 1024).")),
            "offsets": ("Versätze", ("Wie die K Versätze gezogen werden: 'ortho' ein Orthonormalsystem (Gl. 10), 'rand' "
                                    "unabhängige zufällige Richtungen der Länge s (Gl. 9). Nur bei der Voreinstellung 'custom' "
                                    "verwendet (nur dann angezeigt); jede andere Voreinstellung legt es fest.")),
            "covariance": ("Kovarianz", ("Wie das Rauschen jeder Komponente verkleinert wird, damit die Momente passen: 'diag' "
                                        "(die Diagonale des Papers), 'vub' (die Varianz-Obergrenzen des Papers, Gl. 34) oder "
                                        "'exact' (unsere: die exakte Kovarianz niedrigen Rangs). Wirkt nur bei eta > 0 (bei "
                                        "eta = 0 fügt der Schritt kein Rauschen hinzu). Nur bei der Voreinstellung 'custom' "
                                        "verwendet (nur dann angezeigt); jede andere Voreinstellung legt es fest.")),
            "share_offsets": ("Versätze teilen", ("Die Versätze einmal für den ganzen Lauf ziehen (die '*'-Varianten des Papers) "
                                                 "oder in jedem Schritt neu. Nur bei der Voreinstellung 'custom' verwendet (nur "
                                                 "dann angezeigt); jede andere Voreinstellung legt es fest.")),
            "priors": ("Priorgewichte", ("Komponentengewichte: 'uniform' (je 1/K, der Standard des Papers) oder 'random' (eine "
                                        "flache Dirichlet-Ziehung pro Lauf, aus dem Seed).")),
            "offset_schedule": ("Versatzplan", ("'constant': in jedem Schritt dieselbe Skala s (das Paper). 'noise_matched' "
                                               "(unsere): in jedem Schritt die Skala, die den Anteil „Versatz-Varianzanteil“ "
                                               "der Rauschvarianz des Schritts in die Streuung der Mischung verschiebt; exakt "
                                               "momentangepasst; ihre Versätze verschwinden, wo eta = 0. Nur bei der "
                                               "Voreinstellung 'custom' verwendet (nur dann angezeigt); jede andere "
                                               "Voreinstellung legt es fest.")),
            "offset_variance_fraction": ("Versatz-Varianzanteil", ("Für den Versatzplan 'noise_matched': der Anteil in [0, 1] "
                                                                  "der Rauschvarianz jedes Schritts, der in die Streuung der "
                                                                  "Mischung verschoben wird (0 = einfaches DDIM). Nur bei diesem "
                                                                  "Plan angezeigt (Voreinstellung NOISE-MATCHED oder 'custom' "
                                                                  "mit „Versatzplan“ 'noise_matched'). Wirkt nur bei eta > 0 "
                                                                  "(bei eta = 0 fügt der Schritt kein Rauschen hinzu).")),
            "kernel": ("Kernel", ("'auto': RFIM-GMM für Flow-Modelle (SD3, Flux, alles, was ModelSamplingSD3/Flux/AuraFlow "
                                 "patcht), DDIM-GMM für jedes andere Modell, bei jedem Lauf entschieden. Oder einen Kernel "
                                 "erzwingen.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): Der Schritt behält die geführte x0-Vorhersage, nimmt aber die "
                                "Richtung zurück zum Rauschen aus der unbedingten Vorhersage (negativer Prompt), wie die "
                                "*_cfg_pp-Sampler von ComfyUI; die Mischung bleibt unverändert. Einen viel kleineren CFG als "
                                "üblich verwenden (am besten auf dem Testmodell des Pakets: etwa 0.75 bei 5-10 Schritten, 0.25 "
                                "bei 20-50; 1 führt noch). Mit s = 0 ist es euler_ancestral_cfg_pp. Mit BasicGuider (ohne "
                                "negativen Prompt) gibt ComfyUI CFG++ eine unbedingte Vorhersage aus Nullen, wie seinen eigenen "
                                "CFG++-Samplern; CFGGuider verwenden.")),
        }),
    "it": NodeTexts(
        display_name="Campionatore DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM il cui passaggio gaussiano è una miscela gaussiana con "
                    "momenti corrispondenti. Da collegare a SamplerCustom o SamplerCustomAdvanced.",
        output="CAMPIONATORE",
        table_header=("widget", "predefinito", "valori", "cosa fa"),
        value_range="da {low} a {high}",
        widgets={
            "preset": ("preset", ("La variante dell'articolo. RAND / ORTHO: offset casuali o ortonormali, covarianza diagonale, "
                                 "nuovi a ogni passaggio. ORTHO-VUB: offset ortonormali con i limiti superiori di varianza "
                                 "dell'articolo. ORTHO-VUB*: lo stesso, con un'unica estrazione per tutta l'esecuzione (la "
                                 "migliore dell'articolo). EXACT (nostra): la covarianza esatta di rango basso. NOISE-MATCHED "
                                 "(nostra): EXACT con offset scalati sul rumore di ogni passaggio (richiede eta > 0). CONTROL "
                                 "(same-variance noise): una diagnostica, non un campionatore da usare: DDIM (flusso: Euler) più "
                                 "rumore gaussiano semplice con la varianza che gli offset di ORTHO-VUB* aggiungono con gli "
                                 "stessi s e «numero di componenti K»; eseguilo accanto alla miscela con lo stesso seed per "
                                 "vedere se la miscela fa qualcosa in più che aggiungere rumore. Un preset fissa «offset», "
                                 "«covarianza», «offset condivisi» e «pianificazione degli offset»; 'custom' li prende dai "
                                 "rispettivi widget.")),
            "eta": ("eta", ("Stocasticità in [0, 1]. 0: DDIM deterministico (flusso: Euler) più gli offset della miscela, "
                           "l'impostazione principale dell'articolo. 1: la varianza di DDPM, come euler_ancestral (flusso: "
                           "passaggi indipendenti; l'articolo mantiene eta <= 0.5 per i flussi). «covarianza» e noise_matched "
                           "contano solo quando eta > 0.")),
            "s": ("s", ("Scala degli offset s in [0, 100]: la lunghezza dell'offset di ogni componente dalla media di DDIM "
                       "(unità VP). L'articolo ha trovato s = 10 migliore a 10 passaggi e circa 1 da 20 passaggi in su. 0 "
                       "disattiva la miscela (DDIM / euler_ancestral semplice). Non usato (e nascosto) quando la "
                       "pianificazione degli offset è 'noise_matched'.")),
            "n_components": ("numero di componenti K", ("K, il numero di componenti della miscela, da 1 a 4096 (al massimo il "
                                                       "numero di elementi del latent per offset ortho o covarianza vub). "
                                                       "L'articolo usa 8 (e ha trovato 8 e 256 migliori di 1024).")),
            "offsets": ("offset", ("Come vengono estratti i K offset: 'ortho' una base ortonormale (eq. 10), 'rand' direzioni "
                                  "casuali indipendenti di lunghezza s (eq. 9). Usato solo quando il preset è 'custom' (e solo "
                                  "allora mostrato); qualsiasi altro preset lo fissa.")),
            "covariance": ("covarianza", ("Come si riduce il rumore di ogni componente per mantenere i momenti corrispondenti: "
                                         "'diag' (la diagonale dell'articolo), 'vub' (i limiti superiori di varianza "
                                         "dell'articolo, eq. 34) o 'exact' (nostra: la covarianza esatta di rango basso). Conta "
                                         "solo quando eta > 0 (con eta = 0 il passaggio non aggiunge rumore). Usato solo quando "
                                         "il preset è 'custom' (e solo allora mostrato); qualsiasi altro preset lo fissa.")),
            "share_offsets": ("offset condivisi", ("Estrarre gli offset una sola volta per tutta l'esecuzione (le varianti '*' "
                                                  "dell'articolo) o di nuovo a ogni passaggio. Usato solo quando il preset è "
                                                  "'custom' (e solo allora mostrato); qualsiasi altro preset lo fissa.")),
            "priors": ("pesi a priori", ("Pesi delle componenti: 'uniform' (1/K ciascuna, il default dell'articolo) o 'random' "
                                        "(un'estrazione da una Dirichlet piatta per esecuzione, dal seed).")),
            "offset_schedule": ("pianificazione degli offset", ("'constant': la stessa scala s a ogni passaggio (l'articolo). "
                                                               "'noise_matched' (nostra): a ogni passaggio la scala che sposta "
                                                               "la quota «frazione di varianza degli offset» della varianza del "
                                                               "rumore del passaggio nella dispersione della miscela; momenti "
                                                               "esattamente corrispondenti; i suoi offset si annullano dove "
                                                               "eta = 0. Usato solo quando il preset è 'custom' (e solo allora "
                                                               "mostrato); qualsiasi altro preset lo fissa.")),
            "offset_variance_fraction": ("frazione di varianza degli offset", ("Per la pianificazione degli offset "
                                                                              "'noise_matched': la frazione in [0, 1] della "
                                                                              "varianza del rumore di ogni passaggio spostata "
                                                                              "nella dispersione della miscela (0 = DDIM "
                                                                              "semplice). Mostrato solo con quella "
                                                                              "pianificazione (preset NOISE-MATCHED, o 'custom' "
                                                                              "con «pianificazione degli offset» su "
                                                                              "'noise_matched'). Conta solo quando eta > 0 (con "
                                                                              "eta = 0 il passaggio non aggiunge rumore).")),
            "kernel": ("kernel", ("'auto': RFIM-GMM per i modelli di flusso (SD3, Flux, qualsiasi modello modificato da "
                                 "ModelSamplingSD3/Flux/AuraFlow), DDIM-GMM per ogni altro modello, deciso a ogni esecuzione. "
                                 "Oppure forza un kernel.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): il passaggio mantiene la predizione x0 guidata ma prende la "
                                "direzione di ritorno verso il rumore dalla predizione incondizionata (prompt negativo), come "
                                "fanno i campionatori *_cfg_pp di ComfyUI; la miscela non cambia. Usa un CFG molto più basso del "
                                "solito (il migliore sul modello di test del pacchetto: circa 0.75 a 5-10 passaggi, 0.25 a "
                                "20-50; 1 guida ancora). Con s = 0 è euler_ancestral_cfg_pp. Con BasicGuider (senza prompt "
                                "negativo) ComfyUI passa a CFG++ una predizione incondizionata nulla, come fa con i propri "
                                "campionatori CFG++; usa CFGGuider.")),
        }),
    "pt-BR": NodeTexts(
        display_name="Amostrador DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM cujo passo gaussiano é uma mistura gaussiana com momentos "
                    "casados. Conecte ao SamplerCustom ou ao SamplerCustomAdvanced.",
        output="AMOSTRADOR",
        table_header=("widget", "padrão", "valores", "o que faz"),
        value_range="de {low} a {high}",
        widgets={
            "preset": ("predefinição", ("A variante do artigo. RAND / ORTHO: deslocamentos aleatórios ou ortonormais, "
                                       "covariância diagonal, novos a cada passo. ORTHO-VUB: deslocamentos ortonormais com os "
                                       "limites superiores de variância do artigo. ORTHO-VUB*: o mesmo, com um único sorteio "
                                       "para a execução inteira (a melhor do artigo). EXACT (nossa): a covariância exata de "
                                       "posto baixo. NOISE-MATCHED (nossa): EXACT com deslocamentos escalados ao ruído de cada "
                                       "passo (requer eta > 0). CONTROL (same-variance noise): um diagnóstico, não um "
                                       "amostrador para usar: DDIM (fluxo: Euler) mais ruído gaussiano simples com a variância "
                                       "que os deslocamentos de ORTHO-VUB* adicionam com os mesmos s e “número de componentes "
                                       "K”; execute-o ao lado da mistura com a mesma semente para ver se a mistura faz mais do "
                                       "que adicionar ruído. Uma predefinição fixa “deslocamentos”, “covariância”, "
                                       "“deslocamentos compartilhados” e “cronograma dos deslocamentos”; 'custom' os toma dos "
                                       "respectivos widgets.")),
            "eta": ("eta", ("Estocasticidade em [0, 1]. 0: DDIM determinístico (fluxo: Euler) mais os deslocamentos da mistura, "
                           "a configuração principal do artigo. 1: a variância do DDPM, como euler_ancestral (fluxo: passos "
                           "independentes; o artigo mantém eta <= 0.5 em fluxos). “covariância” e noise_matched só importam "
                           "quando eta > 0.")),
            "s": ("s", ("Escala de deslocamento s em [0, 100]: o comprimento do deslocamento de cada componente a partir da "
                       "média do DDIM (unidades VP). O artigo achou s = 10 melhor com 10 passos e cerca de 1 a partir de 20 "
                       "passos. 0 desliga a mistura (DDIM / euler_ancestral simples). Não usado (e oculto) quando o "
                       "cronograma dos deslocamentos é 'noise_matched'.")),
            "n_components": ("número de componentes K", ("K, o número de componentes da mistura, de 1 a 4096 (no máximo o "
                                                        "número de elementos do latente para deslocamentos ortho ou covariância "
                                                        "vub). O artigo usa 8 (e achou 8 e 256 melhores que 1024).")),
            "offsets": ("deslocamentos", ("Como os K deslocamentos são sorteados: 'ortho' uma base ortonormal (eq. 10), 'rand' "
                                         "direções aleatórias independentes de comprimento s (eq. 9). Usado só quando a "
                                         "predefinição é 'custom' (e só então mostrado); qualquer outra predefinição o fixa.")),
            "covariance": ("covariância", ("Como o ruído de cada componente é reduzido para manter os momentos casados: 'diag' "
                                          "(a diagonal do artigo), 'vub' (os limites superiores de variância do artigo, eq. 34) "
                                          "ou 'exact' (nossa: a covariância exata de posto baixo). Só importa quando eta > 0 "
                                          "(com eta = 0 o passo não adiciona ruído). Usado só quando a predefinição é 'custom' "
                                          "(e só então mostrado); qualquer outra predefinição o fixa.")),
            "share_offsets": ("deslocamentos compartilhados", ("Sortear os deslocamentos uma vez para a execução inteira (as "
                                                              "variantes '*' do artigo) ou de novo a cada passo. Usado só "
                                                              "quando a predefinição é 'custom' (e só então mostrado); "
                                                              "qualquer outra predefinição o fixa.")),
            "priors": ("pesos a priori", ("Pesos dos componentes: 'uniform' (1/K cada, o padrão do artigo) ou 'random' (um "
                                         "sorteio de Dirichlet plana por execução, a partir da semente).")),
            "offset_schedule": ("cronograma dos deslocamentos", ("'constant': a mesma escala s em cada passo (o artigo). "
                                                                "'noise_matched' (nosso): em cada passo, a escala que transfere "
                                                                "a parte “fração de variância dos deslocamentos” da variância do "
                                                                "ruído do passo para a dispersão da mistura; momentos casados "
                                                                "exatamente; seus deslocamentos somem onde eta = 0. Usado só "
                                                                "quando a predefinição é 'custom' (e só então mostrado); "
                                                                "qualquer outra predefinição o fixa.")),
            "offset_variance_fraction": ("fração de variância dos deslocamentos", ("Para o cronograma dos deslocamentos "
                                                                                  "'noise_matched': a fração em [0, 1] da "
                                                                                  "variância do ruído de cada passo transferida "
                                                                                  "para a dispersão da mistura (0 = DDIM "
                                                                                  "simples). Mostrado só com esse cronograma "
                                                                                  "(predefinição NOISE-MATCHED, ou 'custom' com "
                                                                                  "“cronograma dos deslocamentos” em "
                                                                                  "'noise_matched'). Só importa quando eta > 0 "
                                                                                  "(com eta = 0 o passo não adiciona ruído).")),
            "kernel": ("núcleo", ("'auto': RFIM-GMM para modelos de fluxo (SD3, Flux, qualquer modelo modificado por "
                                 "ModelSamplingSD3/Flux/AuraFlow), DDIM-GMM para qualquer outro modelo, decidido a cada "
                                 "execução. Ou force um núcleo.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): o passo mantém a predição x0 guiada, mas toma a direção de volta "
                                "ao ruído da predição incondicional (prompt negativo), como fazem os amostradores *_cfg_pp do "
                                "ComfyUI; a mistura não muda. Use um CFG bem menor que o habitual (o melhor no modelo de teste "
                                "do pacote: cerca de 0.75 com 5-10 passos, 0.25 com 20-50; 1 ainda guia). Com s = 0 é o "
                                "euler_ancestral_cfg_pp. Com BasicGuider (sem prompt negativo) o ComfyUI entrega ao CFG++ uma "
                                "predição incondicional nula, como faz com seus próprios amostradores CFG++; use CFGGuider.")),
        }),
    "tr": NodeTexts(
        display_name="DDIM-GMM / RFIM-GMM Örnekleyici",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): Gauss adımı, momentleri eşleştirilmiş bir Gauss karışımıyla "
                    "değiştirilmiş DDIM. ÖzelÖrnekleyici (SamplerCustom) veya GelişmişÖzelÖrnekleyici "
                    "(SamplerCustomAdvanced) düğümüne bağlayın.",
        output="ÖRNEKLEYİCİ",
        table_header=("widget", "varsayılan", "değerler", "ne yapar"),
        value_range="{low} ile {high} arası",
        widgets={
            "preset": ("ön ayar", ("Makaledeki varyant. RAND / ORTHO: rastgele veya ortonormal ofsetler, köşegen kovaryans, her "
                                  "adımda yeniden. ORTHO-VUB: makalenin varyans üst sınırlarıyla ortonormal ofsetler. "
                                  "ORTHO-VUB*: aynısı, tüm çalıştırma için tek çekiliş (makaledeki en iyisi). EXACT (bizim): "
                                  "tam düşük ranklı kovaryans. NOISE-MATCHED (bizim): ofsetleri her adımın gürültüsüne göre "
                                  "ölçeklenmiş EXACT (eta > 0 gerekir). CONTROL (same-variance noise): bir tanılama aracı, "
                                  "kullanılacak bir örnekleyici değil: DDIM (akış: Euler) artı, aynı s ve “bileşen sayısı K” "
                                  "değerinde ORTHO-VUB* ofsetlerinin eklediği varyansta düz Gauss gürültüsü; karışımın gürültü "
                                  "eklemekten fazlasını yapıp yapmadığını görmek için aynı tohumla karışımın yanında "
                                  "çalıştırın. Bir ön ayar “ofsetler”, “kovaryans”, “ofsetleri paylaş” ve “ofset planı” "
                                  "değerlerini sabitler; 'custom' bunları kendi widget'larından alır.")),
            "eta": ("eta", ("[0, 1] aralığında stokastiklik. 0: deterministik DDIM (akış: Euler) artı karışım ofsetleri, "
                           "makalenin ana ayarı. 1: DDPM varyansı, euler_ancestral gibi (akış: bağımsız adımlar; makale "
                           "akışlarda eta <= 0.5 tutar). “kovaryans” ve noise_matched yalnızca eta > 0 olduğunda etkilidir.")),
            "s": ("s", ("[0, 100] aralığında ofset ölçeği s: her bileşenin ofsetinin DDIM ortalamasından uzaklığı (VP birimi). "
                       "Makale 10 adımda s = 10 değerini, 20 adımdan itibaren yaklaşık 1 değerini en iyi buldu. 0 karışımı "
                       "kapatır (düz DDIM / euler_ancestral). Ofset planı 'noise_matched' olduğunda kullanılmaz (ve "
                       "gizlenir).")),
            "n_components": ("bileşen sayısı K", ("K, karışım bileşenlerinin sayısı, 1 ile 4096 arası (ortho ofsetler veya vub "
                                                "kovaryans için en fazla latent'in eleman sayısı). Makale 8 kullanır (ve 8 "
                                                "ile 256'yı 1024'ten iyi buldu).")),
            "offsets": ("ofsetler", ("K ofsetin nasıl çekildiği: 'ortho' ortonormal bir çerçeve (Denk. 10), 'rand' s "
                                    "uzunluğunda bağımsız rastgele yönler (Denk. 9). Yalnızca ön ayar 'custom' olduğunda "
                                    "kullanılır (yalnızca o zaman gösterilir); başka her ön ayar onu sabitler.")),
            "covariance": ("kovaryans", ("Momentleri eşleşik tutmak için her bileşenin gürültüsünün nasıl küçültüldüğü: 'diag' "
                                        "(makalenin köşegeni), 'vub' (makalenin varyans üst sınırları, Denk. 34) veya 'exact' "
                                        "(bizim: tam düşük ranklı kovaryans). Yalnızca eta > 0 olduğunda etkilidir (eta = 0 "
                                        "iken adım gürültü eklemez). Yalnızca ön ayar 'custom' olduğunda kullanılır (yalnızca "
                                        "o zaman gösterilir); başka her ön ayar onu sabitler.")),
            "share_offsets": ("ofsetleri paylaş", ("Ofsetleri tüm çalıştırma için bir kez çek (makalenin '*' varyantları) ya da "
                                                  "her adımda yeniden çek. Yalnızca ön ayar 'custom' olduğunda kullanılır "
                                                  "(yalnızca o zaman gösterilir); başka her ön ayar onu sabitler.")),
            "priors": ("öncül ağırlıklar", ("Bileşen ağırlıkları: 'uniform' (her biri 1/K, makalenin varsayılanı) veya "
                                           "'random' (çalıştırma başına tohumdan tek bir düz Dirichlet çekilişi).")),
            "offset_schedule": ("ofset planı", ("'constant': her adımda aynı ölçek s (makale). 'noise_matched' (bizim): her "
                                               "adımda, adımın gürültü varyansının “ofset varyans oranı” kadarını karışımın "
                                               "yayılımına aktaran ölçek; momentler tam eşleşir; eta = 0 olan yerde ofsetleri "
                                               "kaybolur. Yalnızca ön ayar 'custom' olduğunda kullanılır (yalnızca o zaman "
                                               "gösterilir); başka her ön ayar onu sabitler.")),
            "offset_variance_fraction": ("ofset varyans oranı", ("Ofset planı 'noise_matched' için: her adımın gürültü "
                                                                "varyansından karışımın yayılımına aktarılan, [0, 1] "
                                                                "aralığındaki oran (0 = düz DDIM). Yalnızca bu planda "
                                                                "gösterilir (ön ayar NOISE-MATCHED ya da “ofset planı” "
                                                                "'noise_matched' olan 'custom'). Yalnızca eta > 0 olduğunda "
                                                                "etkilidir (eta = 0 iken adım gürültü eklemez).")),
            "kernel": ("çekirdek", ("'auto': akış modelleri için (SD3, Flux, ModelSamplingSD3/Flux/AuraFlow ile yamalanmış her "
                                   "model) RFIM-GMM, diğer her model için DDIM-GMM; her çalıştırmada karar verilir. Ya da bir "
                                   "çekirdeği zorla.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): adım, yönlendirilmiş x0 tahminini korur ama gürültüye dönüş yönünü "
                                "koşulsuz (negatif istem) tahminden alır, ComfyUI'nin *_cfg_pp örnekleyicileri gibi; karışım "
                                "değişmez. Her zamankinden çok daha küçük bir CFG kullanın (paketin test modelinde en iyisi: "
                                "5-10 adımda yaklaşık 0.75, 20-50'de 0.25; 1 hâlâ yönlendirir). s = 0 ile "
                                "euler_ancestral_cfg_pp'dir. BasicGuider ile (negatif istem yok) ComfyUI, kendi CFG++ "
                                "örnekleyicilerinde olduğu gibi CFG++'ya sıfır bir koşulsuz tahmin verir; CFGGuider kullanın.")),
        }),
    "ar": NodeTexts(
        display_name="المُعين DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): نسخة من DDIM تُستبدل فيها خطوته الغاوسية بمزيج غاوسي مطابق "
                    "العزوم. صِلْه بـ المُعين المخصص (SamplerCustom) أو المُعين المخصص المتقدم (SamplerCustomAdvanced).",
        output="جهاز تجميع",
        table_header=("العنصر", "الافتراضي", "القيم", "ما يفعله"),
        value_range="من {low} إلى {high}",
        widgets={
            "preset": ("الإعداد المسبق", ("متغيّر الورقة البحثية. RAND / ORTHO: إزاحات عشوائية أو متعامدة معيارية، تغاير "
                                         "قطري، جديدة في كل خطوة. ORTHO-VUB: إزاحات متعامدة معيارية مع الحدود العليا للتباين "
                                         "من الورقة. ORTHO-VUB*: الشيء نفسه، بسحب واحد للتشغيل كله (الأفضل في الورقة). EXACT "
                                         "(من عندنا): التغاير الدقيق منخفض الرتبة. NOISE-MATCHED (من عندنا): EXACT مع إزاحات "
                                         "مُقيّسة على ضجيج كل خطوة (يتطلب eta > 0). CONTROL (same-variance noise): أداة "
                                         "تشخيص، وليس مُعينًا للاستخدام: DDIM (التدفق: Euler) مع ضجيج غاوسي عادي بالتباين "
                                         "الذي تضيفه إزاحات ORTHO-VUB* عند s و«عدد المكوّنات K» نفسيهما؛ شغّله بجانب المزيج "
                                         "بالبذرة نفسها لترى هل يفعل المزيج أكثر من إضافة الضجيج. يثبّت الإعداد المسبق "
                                         "«الإزاحات» و«التغاير» و«مشاركة الإزاحات» و«جدول الإزاحات»؛ أما 'custom' فيأخذها من "
                                         "عناصرها.")),
            "eta": ("eta", ("العشوائية في [0, 1]. 0: DDIM حتمي (التدفق: Euler) مع إزاحات المزيج، وهو الإعداد الرئيسي في "
                           "الورقة. 1: تباين DDPM، مثل euler_ancestral (التدفق: خطوات مستقلة؛ تُبقي الورقة eta <= 0.5 "
                           "للتدفق). لا يؤثر «التغاير» و noise_matched إلا عندما eta > 0.")),
            "s": ("s", ("مقياس الإزاحة s في [0, 100]: طول إزاحة كل مكوّن عن متوسط DDIM (بوحدات VP). وجدت الورقة أن s = 10 هو "
                       "الأفضل عند 10 خطوات ونحو 1 من 20 خطوة فأكثر. القيمة 0 تُطفئ المزيج (DDIM / euler_ancestral العادي). "
                       "غير مستخدم (ومخفي) عندما يكون جدول الإزاحات 'noise_matched'.")),
            "n_components": ("عدد المكوّنات K", ("K، عدد مكوّنات المزيج، من 1 إلى 4096 (على الأكثر عدد عناصر الـ latent "
                                                "لإزاحات ortho أو تغاير vub). تستخدم الورقة 8 (ووجدت أن 8 و256 أفضل من "
                                                "1024).")),
            "offsets": ("الإزاحات", ("كيف تُسحب الإزاحات الـ K: 'ortho' إطار متعامد معياري (المعادلة 10)، 'rand' اتجاهات "
                                    "عشوائية مستقلة بطول s (المعادلة 9). يُستخدم فقط عندما يكون الإعداد المسبق 'custom' (ولا "
                                    "يظهر إلا حينها)؛ أي إعداد مسبق آخر يثبّته.")),
            "covariance": ("التغاير", ("كيف يُقلَّص ضجيج كل مكوّن لتبقى العزوم متطابقة: 'diag' (القطري من الورقة)، 'vub' "
                                      "(الحدود العليا للتباين من الورقة، المعادلة 34) أو 'exact' (من عندنا: التغاير الدقيق "
                                      "منخفض الرتبة). لا يهم إلا عندما eta > 0 (عند eta = 0 لا تضيف الخطوة ضجيجًا). يُستخدم "
                                      "فقط عندما يكون الإعداد المسبق 'custom' (ولا يظهر إلا حينها)؛ أي إعداد مسبق آخر "
                                      "يثبّته.")),
            "share_offsets": ("مشاركة الإزاحات", ("سحب الإزاحات مرة واحدة للتشغيل كله (متغيّرات '*' في الورقة) أو من جديد في "
                                                 "كل خطوة. يُستخدم فقط عندما يكون الإعداد المسبق 'custom' (ولا يظهر إلا "
                                                 "حينها)؛ أي إعداد مسبق آخر يثبّته.")),
            "priors": ("الأوزان المسبقة", ("أوزان المكوّنات: 'uniform' (1/K لكل منها، الافتراضي في الورقة) أو 'random' (سحب "
                                          "واحد من توزيع Dirichlet المسطّح لكل تشغيل، من البذرة).")),
            "offset_schedule": ("جدول الإزاحات", ("'constant': المقياس s نفسه في كل خطوة (كما في الورقة). 'noise_matched' (من "
                                                 "عندنا): في كل خطوة المقياس الذي ينقل «نسبة تباين الإزاحات» من تباين ضجيج "
                                                 "الخطوة إلى انتشار المزيج؛ مطابق العزوم تمامًا؛ وتتلاشى إزاحاته حيث "
                                                 "eta = 0. يُستخدم فقط عندما يكون الإعداد المسبق 'custom' (ولا يظهر إلا "
                                                 "حينها)؛ أي إعداد مسبق آخر يثبّته.")),
            "offset_variance_fraction": ("نسبة تباين الإزاحات", ("لجدول الإزاحات 'noise_matched': نسبة في [0, 1] من تباين "
                                                                "ضجيج كل خطوة تُنقل إلى انتشار المزيج (0 = DDIM العادي). "
                                                                "يظهر فقط مع هذا الجدول (الإعداد المسبق NOISE-MATCHED، أو "
                                                                "'custom' مع «جدول الإزاحات» على 'noise_matched'). لا يهم إلا "
                                                                "عندما eta > 0 (عند eta = 0 لا تضيف الخطوة ضجيجًا).")),
            "kernel": ("النواة", ("'auto': RFIM-GMM لنماذج التدفق (SD3 و Flux وأي نموذج عدّله ModelSamplingSD3/Flux/AuraFlow)، "
                                 "و DDIM-GMM لكل نموذج آخر، ويُقرَّر ذلك عند كل تشغيل. أو فرض نواة واحدة.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): تحتفظ الخطوة بتنبؤ x0 الموجَّه لكنها تأخذ اتجاه العودة إلى الضجيج "
                                "من التنبؤ غير المشروط (الموجّه السلبي)، كما تفعل مُعينات *_cfg_pp في ComfyUI؛ ولا يتغير "
                                "المزيج. استخدم CFG أصغر بكثير من المعتاد (الأفضل على نموذج اختبار الحزمة: نحو 0.75 عند 5-10 "
                                "خطوات، و0.25 عند 20-50؛ و1 لا يزال يوجّه). مع s = 0 يكون هو euler_ancestral_cfg_pp. مع "
                                "BasicGuider (بلا موجّه سلبي) يعطي ComfyUI لـ CFG++ تنبؤًا غير مشروط صفريًا، كما يفعل مع "
                                "مُعينات CFG++ الخاصة به؛ استخدم CFGGuider.")),
        }),
    "fa": NodeTexts(
        display_name="نمونه‌گیر DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM که گام گاوسی آن با یک آمیختهٔ گاوسی با گشتاورهای منطبق "
                    "جایگزین شده است. به SamplerCustom یا SamplerCustomAdvanced وصل کنید.",
        output="نمونه‌گیر",
        table_header=("ویجت", "پیش‌فرض", "مقادیر", "کارکرد"),
        value_range="از {low} تا {high}",
        widgets={
            "preset": ("پیش‌تنظیم", ("گونهٔ مقاله. RAND / ORTHO: جابه‌جایی‌های تصادفی یا متعامد یکه، کوواریانس قطری، در هر "
                                    "گام تازه. ORTHO-VUB: جابه‌جایی‌های متعامد یکه با کران‌های بالای واریانس مقاله. "
                                    "ORTHO-VUB*: همان، با یک بار نمونه‌برداری برای کل اجرا (بهترینِ مقاله). EXACT (از ما): "
                                    "کوواریانس دقیق با رتبهٔ پایین. NOISE-MATCHED (از ما): EXACT با جابه‌جایی‌هایی که به نویز "
                                    "هر گام مقیاس شده‌اند (نیاز به eta > 0). CONTROL (same-variance noise): ابزاری تشخیصی، نه "
                                    "نمونه‌گیری برای استفاده: DDIM (جریان: Euler) به‌علاوهٔ نویز گاوسی ساده با واریانسی که "
                                    "جابه‌جایی‌های ORTHO-VUB* در همان s و «تعداد مؤلفه‌ها K» اضافه می‌کنند؛ آن را کنار آمیخته "
                                    "با همان بذر اجرا کنید تا ببینید آمیخته کاری بیش از افزودن نویز می‌کند یا نه. پیش‌تنظیم "
                                    "«جابه‌جایی‌ها»، «کوواریانس»، «جابه‌جایی‌های مشترک» و «زمان‌بندی جابه‌جایی» را ثابت "
                                    "می‌کند؛ 'custom' آن‌ها را از ویجت‌های خودشان می‌گیرد.")),
            "eta": ("eta", ("تصادفی بودن در [0, 1]. 0: DDIM قطعی (جریان: Euler) به‌علاوهٔ جابه‌جایی‌های آمیخته، تنظیم اصلی "
                           "مقاله. 1: واریانس DDPM، مانند euler_ancestral (جریان: گام‌های مستقل؛ مقاله برای جریان eta <= 0.5 "
                           "نگه می‌دارد). «کوواریانس» و noise_matched فقط وقتی eta > 0 اثر دارند.")),
            "s": ("s", ("مقیاس جابه‌جایی s در [0, 100]: طول جابه‌جایی هر مؤلفه از میانگین DDIM (به واحد VP). مقاله s = 10 را در "
                       "10 گام بهترین یافت و از 20 گام به بعد حدود 1 را. مقدار 0 آمیخته را خاموش می‌کند (DDIM / "
                       "euler_ancestral ساده). وقتی زمان‌بندی جابه‌جایی 'noise_matched' است استفاده نمی‌شود (و پنهان است).")),
            "n_components": ("تعداد مؤلفه‌ها K", ("K، تعداد مؤلفه‌های آمیخته، از 1 تا 4096 (حداکثر تعداد عناصر latent برای "
                                                 "جابه‌جایی‌های ortho یا کوواریانس vub). مقاله از 8 استفاده می‌کند (و 8 و "
                                                 "256 را بهتر از 1024 یافت).")),
            "offsets": ("جابه‌جایی‌ها", ("نحوهٔ نمونه‌برداری K جابه‌جایی: 'ortho' یک قاب متعامد یکه (معادلهٔ 10)، 'rand' "
                                        "جهت‌های تصادفی مستقل به طول s (معادلهٔ 9). فقط وقتی پیش‌تنظیم 'custom' است استفاده "
                                        "می‌شود (و فقط آن وقت نمایش داده می‌شود)؛ هر پیش‌تنظیم دیگری آن را ثابت می‌کند.")),
            "covariance": ("کوواریانس", ("نویز هر مؤلفه چگونه کوچک می‌شود تا گشتاورها منطبق بمانند: 'diag' (قطری مقاله)، "
                                        "'vub' (کران‌های بالای واریانس مقاله، معادلهٔ 34) یا 'exact' (از ما: کوواریانس دقیق "
                                        "با رتبهٔ پایین). فقط وقتی eta > 0 اثر دارد (با eta = 0 گام نویزی اضافه نمی‌کند). "
                                        "فقط وقتی پیش‌تنظیم 'custom' است استفاده می‌شود (و فقط آن وقت نمایش داده می‌شود)؛ هر "
                                        "پیش‌تنظیم دیگری آن را ثابت می‌کند.")),
            "share_offsets": ("جابه‌جایی‌های مشترک", ("جابه‌جایی‌ها یک بار برای کل اجرا نمونه‌برداری شوند (گونه‌های '*' "
                                                     "مقاله) یا در هر گام از نو. فقط وقتی پیش‌تنظیم 'custom' است استفاده "
                                                     "می‌شود (و فقط آن وقت نمایش داده می‌شود)؛ هر پیش‌تنظیم دیگری آن را ثابت "
                                                     "می‌کند.")),
            "priors": ("وزن‌های پیشین", ("وزن‌های مؤلفه‌ها: 'uniform' (هر کدام 1/K، پیش‌فرض مقاله) یا 'random' (یک نمونه از "
                                        "توزیع Dirichlet تخت در هر اجرا، از روی بذر).")),
            "offset_schedule": ("زمان‌بندی جابه‌جایی", ("'constant': همان مقیاس s در هر گام (روش مقاله). 'noise_matched' (از "
                                                       "ما): در هر گام مقیاسی که سهم «کسر واریانس جابه‌جایی» از واریانس "
                                                       "نویز گام را به پراکندگی آمیخته منتقل می‌کند؛ گشتاورها دقیقاً "
                                                       "منطبق‌اند؛ جابه‌جایی‌هایش جایی که eta = 0 صفر می‌شوند. فقط وقتی "
                                                       "پیش‌تنظیم 'custom' است استفاده می‌شود (و فقط آن وقت نمایش داده "
                                                       "می‌شود)؛ هر پیش‌تنظیم دیگری آن را ثابت می‌کند.")),
            "offset_variance_fraction": ("کسر واریانس جابه‌جایی", ("برای زمان‌بندی جابه‌جایی 'noise_matched': کسری در [0, 1] "
                                                                  "از واریانس نویز هر گام که به پراکندگی آمیخته منتقل "
                                                                  "می‌شود (0 = DDIM ساده). فقط برای همین زمان‌بندی نمایش داده "
                                                                  "می‌شود (پیش‌تنظیم NOISE-MATCHED، یا 'custom' با «زمان‌بندی "
                                                                  "جابه‌جایی» روی 'noise_matched'). فقط وقتی eta > 0 اثر دارد "
                                                                  "(با eta = 0 گام نویزی اضافه نمی‌کند).")),
            "kernel": ("هسته", ("'auto': برای مدل‌های جریان (SD3، Flux، هر مدلی که ModelSamplingSD3/Flux/AuraFlow آن را وصله "
                               "کرده) RFIM-GMM و برای هر مدل دیگر DDIM-GMM، که در هر اجرا تصمیم گرفته می‌شود. یا یک هسته را "
                               "اجباری کنید.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): گام پیش‌بینی x0 هدایت‌شده را نگه می‌دارد اما جهت بازگشت به نویز را "
                                "از پیش‌بینی غیرشرطی (پرامپت منفی) می‌گیرد، همان‌طور که نمونه‌گیرهای *_cfg_pp در ComfyUI "
                                "می‌کنند؛ آمیخته تغییری نمی‌کند. CFG را بسیار کوچک‌تر از معمول بگذارید (بهترین روی مدل آزمایشی "
                                "بسته: حدود 0.75 در 5-10 گام، 0.25 در 20-50؛ 1 هنوز هدایت می‌کند). با s = 0 همان "
                                "euler_ancestral_cfg_pp است. با BasicGuider (بدون پرامپت منفی) ComfyUI به CFG++ یک پیش‌بینی "
                                "غیرشرطی صفر می‌دهد، همان‌طور که به نمونه‌گیرهای CFG++ خودش؛ از CFGGuider استفاده کنید.")),
        }),
    "he": NodeTexts(
        display_name="דוגם DDIM-GMM / RFIM-GMM",
        description="DDIM-GMM / RFIM-GMM (arXiv 2311.04938): DDIM שבו הצעד הגאוסי מוחלף בתערובת גאוסית בהתאמת מומנטים. "
                    "יש לחבר ל-SamplerCustom או ל-SamplerCustomAdvanced.",
        output="SAMPLER",
        table_header=("וידג'ט", "ברירת מחדל", "ערכים", "מה הוא עושה"),
        value_range="{low} עד {high}",
        widgets={
            "preset": ("הגדרה מוכנה", ("הווריאנט מהמאמר. RAND / ORTHO: היסטים אקראיים או אורתונורמליים, שונות משותפת "
                                      "אלכסונית, חדשים בכל שלב. ORTHO-VUB: היסטים אורתונורמליים עם חסמי השונות העליונים של "
                                      "המאמר. ORTHO-VUB*: אותו דבר, הגרלה אחת לכל הריצה (הטוב ביותר במאמר). EXACT (שלנו): "
                                      "השונות המשותפת המדויקת בדרגה נמוכה. NOISE-MATCHED (שלנו): EXACT עם היסטים המותאמים "
                                      "לרעש של כל שלב (דורש eta > 0). CONTROL (same-variance noise): כלי אבחון, לא דוגם "
                                      "לשימוש: DDIM (זרימה: Euler) ועוד רעש גאוסי רגיל בשונות שההיסטים של ORTHO-VUB* "
                                      "מוסיפים באותם s ו\"מספר רכיבים K\"; הריצו אותו לצד התערובת עם אותו seed כדי לראות אם "
                                      "התערובת עושה יותר מהוספת רעש. הגדרה מוכנה קובעת את \"היסטים\", \"שונות משותפת\", "
                                      "\"היסטים משותפים\" ו\"תזמון היסטים\"; 'custom' לוקח אותם מהווידג'טים שלהם.")),
            "eta": ("eta", ("סטוכסטיות ב-[0, 1]. 0: DDIM דטרמיניסטי (זרימה: Euler) ועוד היסטי התערובת, ההגדרה העיקרית של "
                           "המאמר. 1: שונות DDPM, כמו euler_ancestral (זרימה: שלבים בלתי תלויים; המאמר שומר על eta <= 0.5 "
                           "בזרימה). \"שונות משותפת\" ו-noise_matched משפיעים רק כאשר eta > 0.")),
            "s": ("s", ("קנה מידה של ההיסט s ב-[0, 100]: אורך ההיסט של כל רכיב מהממוצע של DDIM (ביחידות VP). המאמר מצא "
                       "ש-s = 10 הוא הטוב ביותר ב-10 שלבים ובערך 1 מ-20 שלבים ומעלה. 0 מכבה את התערובת (DDIM / "
                       "euler_ancestral רגיל). לא בשימוש (ומוסתר) כאשר תזמון ההיסטים הוא 'noise_matched'.")),
            "n_components": ("מספר רכיבים K", ("K, מספר רכיבי התערובת, 1 עד 4096 (לכל היותר מספר האיברים של ה-latent עבור "
                                              "היסטי ortho או שונות משותפת vub). המאמר משתמש ב-8 (ומצא ש-8 ו-256 טובים "
                                              "מ-1024).")),
            "offsets": ("היסטים", ("כיצד מוגרלים K ההיסטים: 'ortho' מסגרת אורתונורמלית (משוואה 10), 'rand' כיוונים אקראיים "
                                  "בלתי תלויים באורך s (משוואה 9). בשימוש רק כאשר ההגדרה המוכנה היא 'custom' (ומוצג רק אז); "
                                  "כל הגדרה מוכנה אחרת קובעת אותו.")),
            "covariance": ("שונות משותפת", ("כיצד מוקטן הרעש של כל רכיב כדי לשמור על התאמת המומנטים: 'diag' (האלכסונית של "
                                           "המאמר), 'vub' (חסמי השונות העליונים של המאמר, משוואה 34) או 'exact' (שלנו: השונות "
                                           "המשותפת המדויקת בדרגה נמוכה). משנה רק כאשר eta > 0 (עם eta = 0 השלב אינו מוסיף "
                                           "רעש). בשימוש רק כאשר ההגדרה המוכנה היא 'custom' (ומוצג רק אז); כל הגדרה מוכנה "
                                           "אחרת קובעת אותו.")),
            "share_offsets": ("היסטים משותפים", ("להגריל את ההיסטים פעם אחת לכל הריצה (הווריאנטים '*' של המאמר) או מחדש בכל "
                                                "שלב. בשימוש רק כאשר ההגדרה המוכנה היא 'custom' (ומוצג רק אז); כל הגדרה "
                                                "מוכנה אחרת קובעת אותו.")),
            "priors": ("משקלות קודמים", ("משקלות הרכיבים: 'uniform' (1/K לכל אחד, ברירת המחדל של המאמר) או 'random' (הגרלה "
                                        "אחת מהתפלגות Dirichlet שטוחה לכל ריצה, מתוך ה-seed).")),
            "offset_schedule": ("תזמון היסטים", ("'constant': אותו קנה מידה s בכל שלב (המאמר). 'noise_matched' (שלנו): בכל "
                                                "שלב קנה המידה שמעביר את החלק \"שבר שונות ההיסטים\" משונות הרעש של השלב אל "
                                                "פיזור התערובת; התאמת מומנטים מדויקת; ההיסטים שלו נעלמים היכן ש-eta = 0. "
                                                "בשימוש רק כאשר ההגדרה המוכנה היא 'custom' (ומוצג רק אז); כל הגדרה מוכנה "
                                                "אחרת קובעת אותו.")),
            "offset_variance_fraction": ("שבר שונות ההיסטים", ("עבור תזמון ההיסטים 'noise_matched': החלק ב-[0, 1] משונות "
                                                              "הרעש של כל שלב שמועבר אל פיזור התערובת (0 = DDIM רגיל). "
                                                              "מוצג רק בתזמון זה (הגדרה מוכנה NOISE-MATCHED, או 'custom' עם "
                                                              "\"תזמון היסטים\" על 'noise_matched'). משנה רק כאשר eta > 0 "
                                                              "(עם eta = 0 השלב אינו מוסיף רעש).")),
            "kernel": ("ליבה", ("'auto': RFIM-GMM למודלי זרימה (SD3, Flux, כל מודל שתוקן על ידי ModelSamplingSD3/Flux/AuraFlow), "
                               "DDIM-GMM לכל מודל אחר, ונקבע בכל ריצה. או לכפות ליבה אחת.")),
            "cfg_pp": ("CFG++", ("CFG++ (Chung et al. 2024): השלב שומר על חיזוי ה-x0 המונחה אך לוקח את הכיוון חזרה אל הרעש "
                                "מהחיזוי הבלתי מותנה (פרומפט שלילי), כפי שעושים הדוגמים *_cfg_pp של ComfyUI; התערובת אינה "
                                "משתנה. השתמשו ב-CFG קטן בהרבה מהרגיל (הטוב ביותר על מודל הבדיקה של החבילה: כ-0.75 ב-5-10 "
                                "שלבים, 0.25 ב-20-50; גם 1 עדיין מנחה). עם s = 0 זהו euler_ancestral_cfg_pp. עם BasicGuider "
                                "(ללא פרומפט שלילי) ComfyUI מעביר ל-CFG++ חיזוי בלתי מותנה של אפסים, כפי שהוא עושה לדוגמים "
                                "CFG++ שלו; השתמשו ב-CFGGuider.")),
        }),
}

# The words ComfyUI's frontend uses for the same things in its own core nodes, and where (the key of the frontend's
# src/locales/<lang>/nodeDefs.json whose text has the word): {language: {term: (key, word)}}. The node's texts use
# them; tests/comfy_host/test_frontend_locales.py checks each word against the frontend package, and
# tests/test_translations.py that the language's texts use it.
GLOSSARY_KEYS = {
    "sampler": "SamplerCustom.inputs.sampler.name", "seed": "KSampler.inputs.seed.name",
    "steps": "KSampler.inputs.steps.name", "noise": "SamplerCustom.inputs.add_noise.name",
    "model": "KSampler.inputs.model.name", "negative": "KSampler.inputs.negative.name",
}
GLOSSARY = {
    "zh": {"sampler": "采样器", "seed": "种子", "steps": "步", "noise": "噪波", "model": "模型", "negative": "负面"},
    "zh-TW": {"sampler": "取樣器", "seed": "種子", "steps": "步", "noise": "雜訊", "model": "模型", "negative": "負向"},
    "ja": {"sampler": "サンプラー", "seed": "シード", "steps": "ステップ", "noise": "ノイズ", "model": "モデル",
           "negative": "ネガティブ"},
    "ko": {"sampler": "샘플러", "seed": "시드", "steps": "스텝", "noise": "노이즈", "model": "모델", "negative": "부정"},
    "ru": {"sampler": "сэмплер", "seed": "сид", "steps": "шаг", "noise": "шум", "model": "модель",
           "negative": "отрицательный"},
    "fr": {"sampler": "échantillonneur", "seed": ("KSampler.inputs.seed.tooltip", "graine"),
           "steps": ("KSampler.inputs.steps.tooltip", "étape"), "noise": "bruit",
           "model": ("KSampler.inputs.model.tooltip", "modèle")},
    "es": {"sampler": "muestreador", "seed": "semilla", "steps": "paso", "noise": "ruido", "model": "modelo",
           "negative": "negativo"},
    "de": {"sampler": "Sampler", "seed": ("KSampler.inputs.seed.tooltip", "Seed"),
           "steps": ("KSampler.inputs.steps.tooltip", "Schritt"), "noise": "Rauschen",
           "model": ("KSampler.inputs.model.tooltip", "Modell"), "negative": "negativ"},
    "it": {"sampler": "campionatore", "seed": "seed", "steps": "passaggi", "noise": "rumore", "model": "modello",
           "negative": "negativo"},
    "pt-BR": {"sampler": "amostrador", "seed": "semente", "steps": "passo", "noise": "ruído", "model": "modelo",
              "negative": "negativo"},
    "tr": {"sampler": "örnekleyici", "seed": "tohum", "steps": "adım", "noise": "gürültü", "model": "model",
           "negative": "negatif"},
    "ar": {"sampler": "المُعين", "seed": "بذرة", "steps": "خطوات", "noise": "ضجيج", "negative": "سلبي"},
    "fa": {"sampler": "نمونه‌گیر", "seed": ("KSampler.inputs.seed.tooltip", "بذر"), "steps": "گام", "noise": "نویز",
           "model": "مدل", "negative": "منفی"},
    "he": {"sampler": "דוגם", "seed": "seed", "steps": "שלבים", "noise": "רעש", "model": "מודל", "negative": "שלילי"},
}


def glossary_entries(language):
    """[(term, frontend key, word)] of `language`'s glossary: a plain word is found at GLOSSARY_KEYS[term]."""
    return [(term, *(entry if isinstance(entry, tuple) else (GLOSSARY_KEYS[term], entry)))
            for term, entry in GLOSSARY[language].items()]
