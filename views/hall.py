"""Placeholder until the hall screen lands."""
import streamlit as st

st.write("hall")
