# bench/results.md's chart: median overhead per tool, grouped by workload,
# with the min-max range of the pairs. Called by bench/run.sh with data
# (a line per workload: name, then median, min, max per tool), out, tools.
set terminal pngcairo size 1100,560 font ",10"
set output out
set title "Tracing overhead on process storms (median of the A/B pairs; bars: their range)"
set ylabel "storm time traced / untraced - 1 (%)"
set style data histogram
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key outside right top vertical
set datafile separator "\t"
set xtics scale 0
plot for [i=1:words(tools)] data using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) \
	title word(tools, i)
