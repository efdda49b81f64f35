"""What each document must say, item by item (domain contract §5), in ja and en.

Each row: (document, item, texts that must appear in Japanese, texts that must
appear in English). Texts are compared with all whitespace removed, because CJK
line breaks fall anywhere. The values come from ``examples/consent-request.json``
and its contract block; the tests render the three documents from that request.

Documents: ``consent`` (説明・同意書), ``summary`` (概要書面, before the contract)
and ``contract`` (契約書面, at the contract).
"""

from __future__ import annotations

Row = tuple[str, str, tuple[str, ...], tuple[str, ...]]

# Items both 特商法 documents carry (42条1項/2項 and the 施行規則).
_SHARED: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "other costs name the same-day cancellation fee of 7",
        (
            "上記のほか、契約を続けたまま予約した施術をその日に取り消された場合は、"
            "キャンセル料として5,000円をいただきます",
        ),
        (
            "Besidestheabove,acancellationchargeofJPY5,000appliesifyoucancelabookedsession"
            "onitsdaywhilethecontractcontinues",
        ),
    ),
    ("sessions and interval", ("4回（2週間ごと）",), ("4sessions,every2weeks",)),
    ("business name", ("医療法人社団さくら会", "さくら美容クリニック"), ("医療法人社団さくら会",)),
    (
        "business address",
        ("東京都渋谷区神南1丁目2番3号",),
        ("東京都渋谷区神南1丁目2番3号", "Address"),
    ),
    ("business phone", ("03-1234-5678", "電話番号"), ("03-1234-5678", "Phone")),
    (
        "representative's name",
        ("代表者の氏名", "理事長佐藤一郎"),
        ("Representative", "理事長佐藤一郎"),
    ),
    (
        "service",
        ("役務の内容", "皮膚の活性化", "薬剤を用いる方法"),
        ("Theservice", "skinactivation", "byuseofadrug"),
    ),
    ("product", ("EXO-Derm10",), ("EXO-Derm10",)),
    (
        "route: face or neck, site as planned",
        ("注射（顔または首）", "顔全体（額・頬・目の下）"),
        ("injection(faceorneck)",),
    ),
    ("period start", ("役務の提供期間", "令和8年12月1日"), ("Serviceperiod", "2026-12-01")),
    ("period end", ("令和9年1月31日",), ("2027-01-31",)),
    ("planned sessions", ("4回目", "令和8年12月29日"), ("session4", "2026-12-29")),
    ("related goods", ("関連商品", "EXOホームケアセラム", "化粧品"), ("Relatedgoods", "cosmetics")),
    ("service price", ("1回88,000円×4回=352,000円",), ("JPY88,000x4sessions=JPY352,000",)),
    ("related goods price", ("11,000円",), ("JPY11,000",)),
    (
        "total with tax",
        ("363,000円", "うち消費税33,000円"),
        ("JPY363,000", "consumptiontaxJPY33,000"),
    ),
    (
        "payment timing",
        ("お支払いの時期", "初回の施術の前に全額"),
        ("When", "infullbeforethefirstsession"),
    ),
    (
        "payment method",
        ("お支払いの方法", "クレジットカード（分割払い・リボ払い等）"),
        ("How", "instalmentsorrevolving"),
    ),
    ("defence against the credit company", ("抗弁の接続",), ("defenceagainstthecreditcompany",)),
    (
        "advance payment protection",
        ("前受金の保全措置", "講じていません"),
        ("Protectionofadvancepayments", "notprotected"),
    ),
    (
        "read carefully",
        ("この書面の内容を十分にお読みください",),
        ("Pleasereadthisdocumentcarefully",),
    ),
    (
        "cooling-off from the contract document",
        ("契約書面を受け取った日を含めて8日以内",),
        ("within8days,countingthedayyoureceivethecontractdocument",),
    ),
    (
        "cooling-off by written or electronic notice",
        ("書面または電磁的記録",),
        ("inwritingorinelectronicform",),
    ),
    (
        "cooling-off effective when sent",
        ("発信した時に効力を生じます",),
        ("takeseffectwhenyousendit",),
    ),
    (
        "cooling-off: no damages",
        ("損害賠償や違約金を支払う必要はありません",),
        ("youowenodamagesorpenalty",),
    ),
    (
        "cooling-off: sessions received are free",
        ("すでに受けた施術の料金も支払う必要はなく",),
        ("Youpaynothingforsessionsalreadyreceived",),
    ),
    (
        "cooling-off: full refund incl. related goods",
        ("関連商品の代金を含めて全額返金",),
        ("includingforrelatedgoods,isrefundedinfull",),
    ),
    ("cooling-off extension", ("威迫",), ("intimidatedyou",)),
    (
        "cooling-off: the seller bears the cost of taking goods back (48条5項)",
        ("その引取りにかかる費用は販売業者が負担します",),
        ("thesellerbearsthecostoftakingthemback",),
    ),
    (
        "cooling-off: notice to the goods' own seller",
        (
            "関連商品（EXOホームケアセラム）の販売契約については、販売業者にも通知をお送りください",
            "株式会社エグザンプルコスメ（大阪府大阪市北区梅田1丁目1番1号、電話06-0000-1111）",
        ),
        (
            "Fortherelatedgoods(EXOホームケアセラム),sendthenoticetotheirselleraswell",
            "株式会社エグザンプルコスメ(大阪府大阪市北区梅田1丁目1番1号,phone06-0000-1111)",
        ),
    ),
    (
        "mid-term cancellation",
        ("中途解約（特定商取引法第49条）", "いつでも将来に向かって"),
        ("Mid-termcancellation(ActonSpecifiedCommercialTransactions,Article49)", "atanytime"),
    ),
    (
        "mid-term cancellation of the related goods contract (49条5項)",
        ("関連商品の販売契約も解除できます", "その販売業者にもお申し出ください"),
        ("youmayalsoendthecontractfortherelatedgoods", "tellthatselleraswell"),
    ),
    (
        "related goods caps (49条6項)",
        (
            "特定商取引法第49条第6項",
            "商品の引渡し前に解除したとき",
            "契約の締結と履行のために通常要する費用の額",
            "商品を返還したとき",
            "通常の使用料に相当する額",
            "商品を返還しないとき",
            "販売価格に相当する額（EXOホームケアセラム11,000円）",
            "法定利率による遅延損害金を加えた額を超えて請求することはできません",
        ),
        (
            "Article49(6)",
            "beforethegoodsaredelivered",
            "thecostsnormallyneededtomakeandperformthecontract",
            "Ifyoureturnthegoods",
            "theusualchargeforusingthegoods",
            "Ifyoukeepthegoods",
            "thesaleprice(EXOホームケアセラム:JPY11,000)",
            "plusstatutoryinterestforlatepayment",
        ),
    ),
    (
        "cap before the first session",
        ("初回の施術の前", "20,000円"),
        ("beforethefirstsession", "JPY20,000"),
    ),
    (
        "caps after each session",
        ("1回目の施術の後", "138,000円", "35,200円", "17,600円"),
        ("aftersession1", "JPY138,000", "JPY35,200", "JPY17,600"),
    ),
    (
        "unit price of sessions received",
        ("1回あたりの料金（88,000円）",),
        ("pricepersession(JPY88,000)",),
    ),
    (
        "clinic's cancellation fees",
        ("契約残額の10%", "5,000円"),
        ("10%oftheremainingcontractamount", "JPY5,000"),
    ),
    ("special terms", ("特約", "特約はありません"), ("Specialterms", "nospecialterms")),
]

SUMMARY_ONLY: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "own title",
        ("概要書面（美容医療の契約の前にお渡しする書面）",),
        ("Summarydocument(givenbeforeacosmeticmedicalcarecontract)",),
    ),
    ("own number", ("概要書面番号", "K-2026-0001"), ("Summarydocumentno.", "K-2026-0001")),
    ("approximate amount", ("お支払いいただく金額の概算",), ("Approximateamounttopay",)),
    (
        "not the contract document",
        ("この書面は契約書面ではありません",),
        ("Thisisnotthecontractdocument",),
    ),
    (
        "receipt line (受領欄)",
        (
            "概要書面の受領",
            "私は、契約を結ぶ前に、この概要書面を受け取りました。",
            "この概要書面を受け取った日",
            "令和＿＿＿年",
            "受領者署名",
        ),
        (
            "Receiptofthissummarydocument",
            "Ireceivedthissummarydocumentbeforemakinganycontract.",
            "Dateyoureceivedthissummarydocument",
            "Recipientsignature",
        ),
    ),
    (
        "the receipt is not a contract",
        ("契約の申込みや承諾ではありません",),
        ("neitheranapplicationfornoranacceptanceofacontract",),
    ),
]

CONTRACT_ONLY: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("own title", ("契約書面（美容医療）",), ("Contractdocument(cosmeticmedicalcare)",)),
    ("own number", ("契約書番号", "K-2026-0001"), ("Contractno.", "K-2026-0001")),
    (
        "related goods seller",
        (
            "株式会社エグザンプルコスメ",
            "大阪府大阪市北区梅田1丁目1番1号",
            "06-0000-1111",
            "代表取締役山本花",
        ),
        ("株式会社エグザンプルコスメ", "06-0000-1111"),
    ),
    (
        "person in charge",
        ("契約の締結を担当した者", "鈴木美咲"),
        ("Personwhohandledthecontract", "鈴木美咲"),
    ),
    ("contract date", ("契約締結の年月日", "令和8年11月25日"), ("Dateofthecontract", "2026-11-25")),
    (
        "receipt-date line",
        ("この契約書面を受け取った日", "令和＿＿＿年"),
        ("Dateyoureceivedthiscontractdocument",),
    ),
    (
        "receipt signature",
        ("私は、この契約書面を受け取りました。",),
        ("Ihavereceivedthiscontractdocument.",),
    ),
]

CONSENT_ITEMS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "route: face or neck, site as planned",
        ("注射（顔または首）", "顔全体（額・頬・目の下）"),
        ("injection(faceorneck)",),
    ),
    (
        "not the contract document",
        ("特定商取引法の契約書面ではありません", "K-2026-0001"),
        ("Itisnotthecontractdocument", "K-2026-0001"),
    ),
    (
        "who must not be treated",
        ("この治療を受けられない方", "妊娠中・授乳中"),
        ("Whomustnotreceivethistreatment", "pregnancyandbreastfeeding"),
    ),
    (
        "cancer-growth warning",
        ("がん細胞の増殖や転移を促すおそれ",),
        ("growthorspread(metastasis)ofcancercells",),
    ),
    (
        "quality varies",
        ("製品や医療機関によって異なります",),
        ("differsbetweenproductsandclinics",),
    ),
    (
        "contamination and infection",
        ("細菌やウイルスが混入して感染症を起こすおそれ",),
        ("contaminatedwithbacteriaorvirusesandcauseaninfection",),
    ),
    (
        "2023 death reported",
        ("2023年に、幹細胞培養上清液の投与を受けた後に患者が亡くなった事例が報告されています",),
        ("deathofapatientafteradministrationofstem-cellconditionedmediawasreportedin2023",),
    ),
    ("sessions and interval", ("4回（2週間ごと）",), ("4sessions,every2weeks",)),
    (
        "FDA public notice",
        ("2019年12月6日", "重い有害事象", "敗血症などの重い感染症"),
        ("6December2019", "seriousadverseevents", "seriousinfectionssuchassepsis"),
    ),
    (
        "FDA notice: where, and the press reports",
        ("米国ネブラスカ州", "報道によれば", "当院が確認した範囲では"),
        ("Nebraska,USA", "Accordingtopressreports", "Asfarastheclinichasbeenableto"),
    ),
    (
        "2023 death: cause not confirmed",
        ("死因や投与との因果関係について、当院は公表された情報を確認できていません",),
        ("thecauseofdeathorwhetheritwaslinkedtothetreatment",),
    ),
    (
        "approved equivalent: same ingredients or performance",
        ("同一の成分や性能を有する医薬品・医療機器・再生医療等製品",),
        ("withthesameingredientsorperformanceasthisproduct",),
    ),
    (
        "outside the regenerative-medicine act: no cells",
        ("細胞を含まないため", "再生医療等の安全性の確保等に関する法律"),
        ("Exosomeproductscontainnocells",),
    ),
    ("infection: what to do", ("感染症", "090-1234-5678"), ("Infection", "callthe")),
    ("fainting", ("失神（血管迷走神経反射）",), ("vasovagalreaction",)),
    (
        "costs explained before (clinic wording)",
        ("施術の前にご説明します",),
        ("explainedtoyoubeforetheprocedure",),
    ),
    (
        "no same-day pressure",
        ("当日に施術を受けるよう求めることはありません",),
        ("Youwillnotbeaskedtohavetheprocedureonthesameday",),
    ),
    ("guidance referred to", ("参照しています",), ("Theclinicreferstotheguidance",)),
    (
        "cooling-off from the contract document",
        ("契約書面を受け取った日を含めて8日以内",),
        ("countingthedayyoureceivethecontractdocument",),
    ),
    (
        "structured cancellation terms",
        ("初回の施術の後の解約", "契約残額の10%"),
        ("Cancellingafterthefirstsession", "10%oftheremainingcontractamount"),
    ),
    ("caps printed", ("20,000円", "17,600円"), ("JPY20,000", "JPY17,600")),
    (
        "related goods in the total",
        ("関連商品", "11,000円", "363,000円"),
        ("Relatedgoods", "JPY363,000"),
    ),
]

# Texts that must never appear (the defects the issue lists).
NEVER: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "summary",
        "cooling-off from this document",
        ("この書面を受け取った日",),
        ("receivethisdocument",),
    ),
    ("summary", "consent number label", ("同意書番号",), ("Consentno.",)),
    ("summary", "person in charge", ("契約の締結を担当した者",), ("Personwhohandledthecontract",)),
    ("summary", "contract date", ("契約締結の年月日",), ("Dateofthecontract",)),
    ("consent", "redundant unapproved", ("承認を受けていない未承認",), ()),
    ("consent", "unit with (s)", (), ("week(s)",)),
    ("summary", "unit with (s)", (), ("week(s)",)),
    ("contract", "unit with (s)", (), ("week(s)",)),
    (
        "summary",
        "nothing else to pay despite a same-day fee",
        ("上記のほかにお支払いいただく費用はありません",),
        ("Thereisnothingelsetopay",),
    ),
    (
        "contract",
        "nothing else to pay despite a same-day fee",
        ("上記のほかにお支払いいただく費用はありません",),
        ("Thereisnothingelsetopay",),
    ),
    ("contract", "mid-term cancellation called cancelling later", (), ("Cancellinglater(",)),
    *(
        (document, "route read as face and neck", ("注射（顔・首）",), ("injection(face,neck)",))
        for document in ("consent", "summary", "contract")
    ),
    (
        "contract",
        "a receipt line of the summary",
        ("概要書面を受け取った日",),
        ("receivedthissummary",),
    ),
    ("consent", "same purpose test", ("同じ目的で承認された",), ("forthesamepurpose",)),
    ("consent", "patient-side wording", ("説明を受けてください",), ()),
    ("consent", "follows the guidance", (), ("followstheguidance",)),
    (
        "consent",
        "information only insufficient",
        ("十分な情報はありません",),
        ("informationislimited",),
    ),
    (
        "consent",
        "death caused by infection",
        ("感染により亡くな", "感染症で亡くな"),
        ("diedofaninfection", "deathfrominfection"),
    ),
]

ROWS: list[Row] = (
    [("summary", item, ja, en) for item, ja, en in _SHARED + SUMMARY_ONLY]
    + [("contract", item, ja, en) for item, ja, en in _SHARED + CONTRACT_ONLY]
    + [("consent", item, ja, en) for item, ja, en in CONSENT_ITEMS]
)
