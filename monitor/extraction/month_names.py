"""CLDR month and weekday names of locale_dates.LOCALES as babel 2.19.0 gives them.

Loading 26 locales from babel costs ~0.2 s of CPU in every process that reads a date: this table is read
instead while babel and LOCALES are the ones it was made from. Written by `python -m testbed.month_table`.
"""

BABEL_VERSION = "2.19.0"
LOCALES = "en de fr es it pt nl sv da nb fi pl cs sk hu ro tr ru uk el id ca hr sl et lv lt"

# "<month number> <name>|<name>|..."
_TABLE = """
1 january|jan|januar|janvier|janv|enero|ene|gennaio|gen|janeiro|januari|tammikuuta|tammikuu|tammi
1 stycznia|styczeń|sty|ledna|leden|led|januára|január|ianuarie|ian|ocak|oca|января|январь|янв|січня
1 січень|січ|ιανουαρίου|ιανουάριοσ|ιαν|de gener|gener|de gen|siječnja|siječanj|sij|jaanuar|jaan
1 janvāris|sausio|sausis|saus
2 february|feb|februar|février|févr|febrero|febbraio|fevereiro|fev|februari|helmikuuta|helmikuu|helmi
2 lutego|luty|lut|února|únor|úno|februára|február|febr|februarie|şubat|şub|февраля|февраль|февр
2 лютого|лютий|лют|φεβρουαρίου|φεβρουάριοσ|φεβ|de febrer|febrer|de febr|veljače|veljača|velj|veebruar
2 veebr|februāris|vasario|vasaris|vas
3 march|mar|märz|mär|mars|marzo|março|maart|mrt|marts|maaliskuuta|maaliskuu|maalis|marca|marzec
3 března|březen|bře|marec|március|márc|martie|mart|марта|март|мар|березня|березень|бер|μαρτίου
3 μάρτιοσ|μαρ|μάρ|maret|de març|març|ožujka|ožujak|ožu|märts|kovo|kovas|kov
4 april|apr|avril|avr|abril|abr|aprile|huhtikuuta|huhtikuu|huhti|kwietnia|kwiecień|kwi|dubna|duben
4 dub|apríla|apríl|április|ápr|aprilie|nisan|nis|апреля|апрель|апр|квітня|квітень|квіт|απριλίου
4 απρίλιοσ|απρ|d’abril|d’abr|travnja|travanj|tra|aprill|aprīlis|balandžio|balandis|bal
5 may|mai|mayo|maggio|mag|maio|mei|maj|toukokuuta|toukokuu|touko|maja|května|květen|kvě|mája|máj
5 május|mayıs|мая|май|травня|травень|трав|μαΐου|μάιοσ|μαΐ|μάι|de maig|maig|svibnja|svibanj|svi
5 maijs|gegužės|gegužė|geg
6 june|jun|juni|juin|junio|giugno|giu|junho|kesäkuuta|kesäkuu|kesä|czerwca|czerwiec|cze|června|červen
6 čvn|júna|jún|június|iunie|iun|haziran|haz|июня|июнь|июн|червня|червень|черв|ιουνίου|ιούνιοσ|ιουν
6 ιούν|de juny|juny|lipnja|lipanj|junij|juuni|jūnijs|jūn|birželio|birželis|birž
7 july|jul|juli|juillet|juil|julio|luglio|lug|julho|heinäkuuta|heinäkuu|heinä|lipca|lipiec|lip
7 července|červenec|čvc|júla|júl|július|iulie|iul|temmuz|tem|июля|июль|июл|липня|липень|лип|ιουλίου
7 ιούλιοσ|ιουλ|ιούλ|de juliol|juliol|de jul|srpnja|srpanj|julij|juuli|jūlijs|jūl|liepos|liepa|liep
8 august|aug|août|agosto|ago|augustus|augusti|elokuuta|elokuu|elo|sierpnia|sierpień|sie|srpna|srpen
8 srp|augusta|augusztus|ağustos|ağu|августа|август|авг|серпня|серпень|серп|αυγούστου|αύγουστοσ|αυγ
8 αύγ|agustus|agu|d’agost|agost|d’ag|kolovoza|kolovoz|kol|avgust|avg|augusts|rugpjūčio|rugpjūtis|rugp
9 september|sep|sept|septembre|septiembre|settembre|set|setembro|syyskuuta|syyskuu|syys|września
9 wrzesień|wrz|září|zář|septembra|szeptember|szept|septembrie|eylül|eyl|сентября|сентябрь|сент
9 вересня|вересень|вер|σεπτεμβρίου|σεπτέμβριοσ|σεπ|de setembre|setembre|de set|rujna|rujan|ruj
9 septembris|rugsėjo|rugsėjis|rugs
10 october|oct|oktober|okt|octobre|octubre|ottobre|ott|outubro|out|lokakuuta|lokakuu|loka
10 października|październik|paź|října|říjen|říj|októbra|október|octombrie|ekim|eki|октября|октябрь
10 окт|жовтня|жовтень|жовт|οκτωβρίου|οκτώβριοσ|οκτ|d’octubre|d’oct|oktoober|oktobris|spalio|spalis
10 spal
11 november|nov|novembre|noviembre|novembro|marraskuuta|marraskuu|marras|listopada|listopad|lis
11 listopadu|novembra|noiembrie|kasım|kas|ноября|ноябрь|нояб|листопада|листопад|лист|νοεμβρίου
11 νοέμβριοσ|νοε|νοέ|de novembre|de nov|studenoga|studeni|stu|novembris|lapkričio|lapkritis|lapkr
12 december|dec|dezember|dez|décembre|déc|diciembre|dic|dicembre|dezembro|desember|des|joulukuuta
12 joulukuu|joulu|grudnia|grudzień|gru|prosince|prosinec|pro|decembra|decembrie|aralık|ara|декабря
12 декабрь|дек|грудня|грудень|груд|δεκεμβρίου|δεκέμβριοσ|δεκ|de desembre|desembre|de des|prosinca
12 prosinac|detsember|dets|decembris|gruodžio|gruodis|gruod
"""


# weekday names, wide and abbreviated, "|"-separated
_DAYS = """
an|antradienis|ceturtd|ceturtdiena|cmt|cs|csütörtök|cum|cuma|cumartesi|czw|czwartek|dc|dg|di|dienstag
dijous|dilluns|dim|dimanche|dimarts|dimecres|dinsdag|dissabte|diumenge|divendres|dj|dl|do|dom
domenica|domingo|donderdag|donnerstag|ds|dt|dum|duminică|dv|esmaspäev|fr|fre|fredag|freitag|fri
friday|gio|giovedì|hétfő|jeu|jeudi|joi|jue|jueves|jum|jumat|kam|kamis|ke|kedd|keskiviikko
keskiviikkona|ketvirtadienis|kolmapäev|kt|la|lauantai|lauantaina|laupäev|lun|lundi|lunedì|lunes|luni
lör|lördag|lør|lørdag|ma|maanantai|maanantaina|maandag|man|mandag|mar|mardi|martedì|martes|marți|mer
mercoledì|mercredi|mi|mie|miercuri|min|minggu|mittwoch|mié|miércoles|mo|mon|monday|montag|mån|måndag
ne|ned|nedelja|nedeľa|nedjelja|neděle|neljapäev|niedz|niedziela|ons|onsdag|otrd|otrdiena|paz|pazar
pazartesi|pe|penktadienis|per|perjantai|perjantaina|perşembe|pet|petak|petek|pi|piatok|piektd
piektdiena|pirmadienis|pirmd|pirmdiena|piątek|pn|po|pon|pondelok|pondělí|ponedeljek|ponedjeljak
poniedziałek|pr|pt|pzt|pá|pátek|péntek|pühapäev|qua|quarta-feira|qui|quinta-feira|rab|rabu|reede|sa
sab|sabato|sabtu|sal|salı|sam|samedi|samstag|sat|saturday|seg|segunda-feira|sekmadienis|sel|selasa
sen|senin|sestd|sestdiena|sex|sexta-feira|sk|so|sob|sobota|sonntag|sre|sreda|sri|srijeda|st|streda
středa|su|sub|subota|sun|sunday|sunnuntai|sunnuntaina|svētd|svētdiena|sze|szerda|szo|szombat|sáb
sábado|sâm|sâmbătă|sön|söndag|søn|søndag|teisipäev|ter|terça-feira|thu|thursday|ti|tiistai|tiistaina
tir|tirs|tirsdag|tis|tisdag|to|tor|torek|tors|torsdag|torstai|torstaina|tr|trečiadienis|trešd
trešdiena|tue|tuesday|ut|uto|utorak|utorok|vasárnap|ven|vendredi|venerdì|vie|viernes|vin|vineri|vr
vrijdag|wed|wednesday|wo|woensdag|wt|wtorek|za|zaterdag|zo|zondag|çar|çarşamba|út|úterý|čet|četrtek
četvrtak|čt|čtvrtek|śr|środa|šeštadienis|št|štvrtok|δευ|δευτέρα|κυρ|κυριακή|πέμ|πέμπτη|παρ|παρασκευή
σάβ|σάββατο|τετ|τετάρτη|τρί|τρίτη|воскресенье|вс|вт|вторник|вівторок|нд|неділя|пʼятниця|пн
понедельник|понеділок|пт|пятница|сб|середа|ср|среда|суббота|субота|четвер|четверг|чт
"""


def day_names() -> frozenset[str]:
    return frozenset("|".join(_DAYS.split()).split("|"))


def month_numbers() -> dict[str, int]:
    names: dict[str, int] = {}
    for row in _TABLE.strip().splitlines():
        number, _space, row_names = row.partition(" ")
        names.update(dict.fromkeys(row_names.split("|"), int(number)))
    return names
