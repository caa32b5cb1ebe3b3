"""Placeholder until the manual screen lands."""
import streamlit as st

st.write("manual")
